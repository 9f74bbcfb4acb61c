// The encoder-decoder, one sentence at a time (seq2seq/model.py): a bidirectional RNN
// encoder, attention, and a GRU decoder, over the arrays the export wrote.
//
// Reading order: `Encoder` turns source ids into one vector per source token (the
// keys); `Decoder.step` runs the GRU over the previous token, asks `Attention` where
// to look, and predicts the next token. Shapes use S = source length, B = hypotheses
// decoded together (the beam), U = units, E = embedding size, V = vocabulary size.
// Arrays are row-major; activations are Float64Array, weights Float32Array.

import { Attention } from "./attention.js";

/** @typedef {{data: Float32Array, shape: number[]}} Weight */

/**
 * ``a[aStart:aStart+n] · b[bStart:bStart+n]``, in four running sums: JavaScript adds in the
 * order written, and one sum would wait on each addition before the next.
 */
export function dot(a, aStart, b, bStart, n) {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[aStart + i] * b[bStart + i];
    s1 += a[aStart + i + 1] * b[bStart + i + 1];
    s2 += a[aStart + i + 2] * b[bStart + i + 2];
    s3 += a[aStart + i + 3] * b[bStart + i + 3];
  }
  for (; i < n; i += 1) s0 += a[aStart + i] * b[bStart + i];
  return (s0 + s1) + (s2 + s3);
}

/**
 * Keras' Dense without its activation: ``x @ kernel + bias``. The kernel (inputs,
 * outputs) is kept transposed, one row per output, so each output is one `dot`.
 */
export class Dense {
  /**
   * @param {Weight} kernel (inputs, outputs)
   * @param {Weight | null} [bias] (outputs,)
   */
  constructor(kernel, bias = null) {
    const [inputs, outputs] = kernel.shape;
    this.inputs = inputs;
    this.outputs = outputs;
    this.rows = new Float32Array(inputs * outputs); // (outputs, inputs)
    for (let i = 0; i < inputs; i += 1) {
      for (let j = 0; j < outputs; j += 1) this.rows[j * inputs + i] = kernel.data[i * outputs + j];
    }
    this.bias = bias ? bias.data : null;
  }

  /**
   * @param {Float64Array} x (inputs,)
   * @param {Float64Array} [out] (outputs,), written over
   * @returns {Float64Array} (outputs,)
   */
  call(x, out) {
    const { inputs, outputs, rows, bias } = this;
    out = out || new Float64Array(outputs);
    for (let j = 0; j < outputs; j += 1) {
      out[j] = dot(rows, j * inputs, x, 0, inputs) + (bias ? bias[j] : 0);
    }
    return out;
  }
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** The rows of an embedding (V, E) for these ids: (ids.length, E). */
function embed(embedding, ids) {
  const size = embedding.shape[1];
  const out = new Float64Array(ids.length * size);
  ids.forEach((id, t) => {
    for (let e = 0; e < size; e += 1) out[t * size + e] = embedding.data[id * size + e];
  });
  return out;
}

/**
 * Keras' GRU cell with ``reset_after=True``: gates z (update), r (reset), h (candidate)
 * side by side in the kernels' columns, and two bias rows, for the input and the state.
 */
export class GRUCell {
  constructor(arrays, prefix) {
    const recurrentKernel = arrays.get(`${prefix}.recurrent_kernel`); // (U, 3U)
    const bias = arrays.get(`${prefix}.bias`); // (2, 3U)
    this.units = recurrentKernel.shape[0];
    const width = 3 * this.units;
    const row = (index) => ({ data: bias.data.subarray(index * width, (index + 1) * width) });
    this.kernel = new Dense(arrays.get(`${prefix}.kernel`), row(0)); // (inputs, 3U)
    this.recurrentKernel = new Dense(recurrentKernel, row(1));
  }

  initialState() {
    return [new Float64Array(this.units)];
  }

  /** One step: x (inputs,), [h (U,)] → [h' (U,)]. */
  step(x, [h]) {
    const units = this.units;
    const fromInput = this.kernel.call(x); // (3U,)
    const fromState = this.recurrentKernel.call(h); // (3U,)
    const next = new Float64Array(units);
    for (let j = 0; j < units; j += 1) {
      const update = sigmoid(fromInput[j] + fromState[j]);
      const reset = sigmoid(fromInput[units + j] + fromState[units + j]);
      const candidate = Math.tanh(fromInput[2 * units + j] + reset * fromState[2 * units + j]);
      next[j] = update * h[j] + (1 - update) * candidate;
    }
    return [next];
  }
}

/** Keras' LSTM cell: gates i (input), f (forget), c (cell write), o (output), one bias. */
export class LSTMCell {
  constructor(arrays, prefix) {
    const recurrentKernel = arrays.get(`${prefix}.recurrent_kernel`); // (U, 4U)
    this.units = recurrentKernel.shape[0];
    this.kernel = new Dense(arrays.get(`${prefix}.kernel`), arrays.get(`${prefix}.bias`)); // (inputs, 4U)
    this.recurrentKernel = new Dense(recurrentKernel);
  }

  initialState() {
    return [new Float64Array(this.units), new Float64Array(this.units)];
  }

  /** One step: x (inputs,), [h, c] (U,) each → [h', c']. */
  step(x, [h, c]) {
    const units = this.units;
    const z = this.kernel.call(x); // (4U,)
    const fromState = this.recurrentKernel.call(h);
    const nextH = new Float64Array(units);
    const nextC = new Float64Array(units);
    for (let j = 0; j < units; j += 1) {
      const inputGate = sigmoid(z[j] + fromState[j]);
      const forgetGate = sigmoid(z[units + j] + fromState[units + j]);
      const cellWrite = Math.tanh(z[2 * units + j] + fromState[2 * units + j]);
      const outputGate = sigmoid(z[3 * units + j] + fromState[3 * units + j]);
      nextC[j] = forgetGate * c[j] + inputGate * cellWrite;
      nextH[j] = outputGate * Math.tanh(nextC[j]);
    }
    return [nextH, nextC];
  }
}

const CELLS = { gru: GRUCell, lstm: LSTMCell };

/**
 * Run ``cell`` over x (S, inputs), forwards or backwards; outputs (S, U) in the
 * source's order, and the state after the last token read.
 */
function runCell(cell, x, length, backwards) {
  const inputs = x.length / length;
  const outputs = new Float64Array(length * cell.units);
  let state = cell.initialState();
  for (let k = 0; k < length; k += 1) {
    const t = backwards ? length - 1 - k : k;
    state = cell.step(x.subarray(t * inputs, (t + 1) * inputs), state);
    outputs.set(state[0], t * cell.units);
  }
  return { outputs, state };
}

/** Source ids (S,) → keys (S, U) and a summary (U,): each direction has U/2 units. */
export class Encoder {
  constructor(settings, arrays) {
    this.embedding = arrays.get("encoder.embedding"); // (V_source, E)
    const Cell = CELLS[settings.encoder];
    this.layers = [];
    for (let index = 0; index < settings.encoder_layers; index += 1) {
      const prefix = `encoder.rnns.${index}`;
      this.layers.push({
        forward: new Cell(arrays, `${prefix}.forward`),
        backward: new Cell(arrays, `${prefix}.backward`),
      });
    }
  }

  /** @param {number[]} source ids @returns {{keys: Float64Array, summary: Float64Array}} */
  call(source) {
    const length = source.length;
    let keys = embed(this.embedding, source); // (S, E)
    let summary = null;
    for (const { forward, backward } of this.layers) {
      const ahead = runCell(forward, keys, length, false); // (S, U/2)
      const behind = runCell(backward, keys, length, true); // (S, U/2)
      const half = forward.units;
      keys = new Float64Array(length * 2 * half); // (S, U): [forward, backward] per token
      for (let t = 0; t < length; t += 1) {
        keys.set(ahead.outputs.subarray(t * half, (t + 1) * half), t * 2 * half);
        keys.set(behind.outputs.subarray(t * half, (t + 1) * half), t * 2 * half + half);
      }
      // The last layer's final states, h of each direction (an LSTM's c is left out).
      summary = new Float64Array(2 * half);
      summary.set(ahead.state[0], 0);
      summary.set(behind.state[0], half);
    }
    return { keys, summary };
  }
}

/** GRU over the target so far, attention over the keys, next-token logits. */
export class Decoder {
  constructor(settings, arrays) {
    this.tieEmbeddings = settings.tie_embeddings;
    this.embedding = arrays.get("decoder.embedding"); // (V, E)
    this.vocabularySize = this.embedding.shape[0];
    this.bridges = [];
    this.cells = [];
    for (let index = 0; index < settings.decoder_layers; index += 1) {
      const bridge = `decoder.bridges.${index}`;
      this.bridges.push(new Dense(arrays.get(`${bridge}.kernel`), arrays.get(`${bridge}.bias`))); // (U, U)
      this.cells.push(new GRUCell(arrays, `decoder.rnns.${index}`));
    }
    this.attention = new Attention(settings.attention, arrays, "decoder.attention");
    this.combine = new Dense(
      arrays.get("decoder.combine.kernel"), // (2U, E if tied else U)
      arrays.get("decoder.combine.bias"),
    );
    if (this.tieEmbeddings) {
      this.outputBias = arrays.get("decoder.output_bias"); // (V,)
    } else {
      this.project = new Dense(
        arrays.get("decoder.project.kernel"), // (U, V)
        arrays.get("decoder.project.bias"),
      );
    }
  }

  /** One start state (U,) per GRU layer, from the encoder's summary: tanh(W s + b). */
  initialStates(summary) {
    return this.bridges.map((bridge) => bridge.call(summary).map(Math.tanh));
  }

  /**
   * One decoding step for B hypotheses.
   * @param {number[]} tokens (B,) the previous token of each
   * @param {object} keys what `Attention.prepare` returned for the encoder's keys
   * @param {Float64Array[][]} states per hypothesis, one state (U,) per layer
   * @returns {{logits: Float64Array[], weights: Float64Array[], states: Float64Array[][]}}
   *   logits (B, V), weights (B, S), the new states
   */
  step(tokens, keys, states) {
    const hidden = []; // (B, E or U)
    const weights = [];
    const newStates = [];
    tokens.forEach((token, b) => {
      let x = embed(this.embedding, [token]); // (E,)
      const layers = [];
      this.cells.forEach((cell, layer) => {
        [x] = cell.step(x, [states[b][layer]]); // (U,)
        layers.push(x);
      });
      newStates.push(layers);
      // The attention's query is the GRU's output (Luong et al., 2015).
      const { context, weights: row } = this.attention.call(x, keys); // (U,), (S,)
      weights.push(row);
      const joined = new Float64Array(context.length + x.length); // (2U,): [context, query]
      joined.set(context, 0);
      joined.set(x, context.length);
      hidden.push(this.combine.call(joined).map(Math.tanh));
    });
    return { logits: this.logits(hidden), weights, states: newStates };
  }

  /** hidden (B, E or U) → logits (B, V): the embeddings transposed plus a bias, or a Dense. */
  logits(hidden) {
    if (!this.tieEmbeddings) return hidden.map((h) => this.project.call(h));
    const [size, width] = this.embedding.shape;
    const table = this.embedding.data;
    const bias = this.outputBias.data;
    const logits = hidden.map(() => new Float64Array(size));
    // Each row of the table is read once for all the beam's hypotheses.
    for (let v = 0; v < size; v += 1) {
      for (let b = 0; b < hidden.length; b += 1) {
        logits[b][v] = dot(table, v * width, hidden[b], 0, width) + bias[v];
      }
    }
    return logits;
  }
}

/** The encoder-decoder of a run: `encode` once per sentence, then `decoder.step`. */
export class Seq2Seq {
  /**
   * @param {object} settings the run's settings from the manifest
   * @param {Map<string, Weight>} arrays
   */
  constructor(settings, arrays) {
    this.settings = settings;
    this.encoder = new Encoder(settings, arrays);
    this.decoder = new Decoder(settings, arrays);
  }

  /**
   * source ids (S,) → prepared keys (S, U) and the decoder's start states.
   * @param {number[]} source
   */
  encode(source) {
    const { keys, summary } = this.encoder.call(source);
    return {
      keys: this.decoder.attention.prepare(keys, source.length),
      states: this.decoder.initialStates(summary),
    };
  }
}
