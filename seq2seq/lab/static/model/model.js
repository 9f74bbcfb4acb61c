// The encoder-decoder, one sentence at a time (seq2seq/model.py): a bidirectional RNN
// encoder, attention, and a GRU decoder, over the arrays the export wrote.
//
// Reading order: `Encoder` turns source ids into one vector per source token (the
// keys); `Decoder.step` runs the GRU over the previous token, asks `Attention` where
// to look, and predicts the next token. Shapes use S = source length, B = hypotheses
// decoded together (the beam), U = units, E = embedding size, V = vocabulary size.
// Arrays are row-major; activations are Float64Array, weights Float32Array.

import { Attention } from "./attention.js";
import { kernels } from "./simd.js";

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

/** Widths the SIMD product takes: eight float32 at a time. */
const SIMD_WIDTH = 8;

/**
 * Keras' Dense without its activation: ``x @ kernel + bias``. The kernel is kept as
 * rows, one per output, so each output is one dot product; in WebAssembly's memory
 * where the page has the SIMD product (simd.js), else in a Float32Array.
 */
export class Dense {
  /**
   * @param {Float32Array} rows (outputs, inputs), row-major
   * @param {number} outputs
   * @param {Float32Array | null} bias (outputs,)
   * @param {object | null} simd what simd.kernels returned
   */
  constructor(rows, outputs, bias, simd) {
    this.inputs = rows.length / outputs;
    this.outputs = outputs;
    this.bias = bias;
    if (simd && this.inputs % SIMD_WIDTH === 0) {
      this.simd = simd;
      this.rowsAt = simd.alloc(rows.length);
      this.xAt = simd.alloc(this.inputs);
      this.outAt = simd.alloc(outputs);
      simd.view().set(rows, this.rowsAt);
    } else {
      this.rows = rows;
    }
  }

  /**
   * A Dense layer of Keras' kernel (inputs, outputs), transposed into rows.
   * @param {Weight} kernel
   * @param {Weight | null} bias
   * @param {object | null} simd
   */
  static ofKernel(kernel, bias, simd) {
    const [inputs, outputs] = kernel.shape;
    const rows = new Float32Array(inputs * outputs); // (outputs, inputs)
    for (let i = 0; i < inputs; i += 1) {
      for (let j = 0; j < outputs; j += 1) rows[j * inputs + i] = kernel.data[i * outputs + j];
    }
    return new Dense(rows, outputs, bias ? bias.data : null, simd);
  }

  /**
   * @param {Float64Array} x (inputs,)
   * @param {Float64Array} [out] (outputs,), written over
   * @returns {Float64Array} (outputs,)
   */
  call(x, out) {
    const { inputs, outputs, bias } = this;
    out = out || new Float64Array(outputs);
    if (this.simd) {
      this.simd.view().set(x, this.xAt);
      this.simd.dotRows(this.rowsAt, outputs, inputs, this.xAt, this.outAt);
      const products = this.simd.view().subarray(this.outAt, this.outAt + outputs);
      for (let j = 0; j < outputs; j += 1) out[j] = products[j] + (bias ? bias[j] : 0);
      return out;
    }
    const rows = this.rows;
    for (let j = 0; j < outputs; j += 1) {
      out[j] = dot(rows, j * inputs, x, 0, inputs) + (bias ? bias[j] : 0);
    }
    return out;
  }

  /**
   * `call` for B vectors.
   * @param {Float64Array[]} xs (B, inputs)
   * @returns {Float64Array[]} (B, outputs)
   */
  callRows(xs) {
    return xs.map((x) => this.call(x));
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
  constructor(arrays, prefix, simd) {
    const recurrentKernel = arrays.get(`${prefix}.recurrent_kernel`); // (U, 3U)
    const bias = arrays.get(`${prefix}.bias`); // (2, 3U)
    this.units = recurrentKernel.shape[0];
    const width = 3 * this.units;
    const row = (index) => ({ data: bias.data.subarray(index * width, (index + 1) * width) });
    this.kernel = Dense.ofKernel(arrays.get(`${prefix}.kernel`), row(0), simd); // (inputs, 3U)
    this.recurrentKernel = Dense.ofKernel(recurrentKernel, row(1), simd);
  }

  initialState() {
    return [new Float64Array(this.units)];
  }

  /** One step: x (inputs,), [h (U,)] → [h' (U,)]. */
  step(x, [h]) {
    return [this.stepRows([x], [h])[0]];
  }

  /** One step of B rows at once: xs (B, inputs), hs (B, U) → (B, U). */
  stepRows(xs, hs) {
    const units = this.units;
    const fromInputs = this.kernel.callRows(xs); // (B, 3U)
    const fromStates = this.recurrentKernel.callRows(hs); // (B, 3U)
    return hs.map((h, b) => {
      const fromInput = fromInputs[b];
      const fromState = fromStates[b];
      const next = new Float64Array(units);
      for (let j = 0; j < units; j += 1) {
        const update = sigmoid(fromInput[j] + fromState[j]);
        const reset = sigmoid(fromInput[units + j] + fromState[units + j]);
        const candidate = Math.tanh(fromInput[2 * units + j] + reset * fromState[2 * units + j]);
        next[j] = update * h[j] + (1 - update) * candidate;
      }
      return next;
    });
  }
}

/** Keras' LSTM cell: gates i (input), f (forget), c (cell write), o (output), one bias. */
export class LSTMCell {
  constructor(arrays, prefix, simd) {
    const recurrentKernel = arrays.get(`${prefix}.recurrent_kernel`); // (U, 4U)
    this.units = recurrentKernel.shape[0];
    this.kernel = Dense.ofKernel( // (inputs, 4U)
      arrays.get(`${prefix}.kernel`), arrays.get(`${prefix}.bias`), simd);
    this.recurrentKernel = Dense.ofKernel(recurrentKernel, null, simd);
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
  constructor(settings, arrays, simd) {
    this.embedding = arrays.get("encoder.embedding"); // (V_source, E)
    const Cell = CELLS[settings.encoder];
    this.layers = [];
    for (let index = 0; index < settings.encoder_layers; index += 1) {
      const prefix = `encoder.rnns.${index}`;
      this.layers.push({
        forward: new Cell(arrays, `${prefix}.forward`, simd),
        backward: new Cell(arrays, `${prefix}.backward`, simd),
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
  constructor(settings, arrays, simd) {
    this.tieEmbeddings = settings.tie_embeddings;
    this.embedding = arrays.get("decoder.embedding"); // (V, E)
    this.vocabularySize = this.embedding.shape[0];
    this.bridges = [];
    this.cells = [];
    for (let index = 0; index < settings.decoder_layers; index += 1) {
      const bridge = `decoder.bridges.${index}`;
      this.bridges.push( // (U, U)
        Dense.ofKernel(arrays.get(`${bridge}.kernel`), arrays.get(`${bridge}.bias`), simd));
      this.cells.push(new GRUCell(arrays, `decoder.rnns.${index}`, simd));
    }
    // Without attention (Cho et al., 2014) every step's context is the encoder's summary.
    this.attention = settings.attention === "none"
      ? null
      : new Attention(settings.attention, arrays, "decoder.attention", simd);
    this.combine = Dense.ofKernel(
      arrays.get("decoder.combine.kernel"), // (2U, E if tied else U)
      arrays.get("decoder.combine.bias"),
      simd,
    );
    // The output layer: the target embeddings (V, E) as its rows, plus a bias (Press and
    // Wolf, 2017), or a Dense (U, V) of its own.
    this.project = this.tieEmbeddings
      ? new Dense(this.embedding.data, this.vocabularySize,
        arrays.get("decoder.output_bias").data, simd)
      : Dense.ofKernel(
        arrays.get("decoder.project.kernel"), arrays.get("decoder.project.bias"), simd);
  }

  /** One start state (U,) per GRU layer, from the encoder's summary: tanh(W s + b). */
  initialStates(summary) {
    return this.bridges.map((bridge) => bridge.call(summary).map(Math.tanh));
  }

  /**
   * One decoding step for B hypotheses.
   * @param {number[]} tokens (B,) the previous token of each
   * @param {object} keys what `Attention.prepare` returned for the encoder's keys, or
   *   without attention ``{summary}``
   * @param {Float64Array[][]} states per hypothesis, one state (U,) per layer
   * @param {(Uint8Array | null)[] | null} [masks] (B, S): where each may look (whatif.js)
   * @returns {{logits: Float64Array[], weights: (Float64Array | null)[],
   *   states: Float64Array[][]}} logits (B, V), weights (B, S) or null without
   *   attention, the new states
   */
  step(tokens, keys, states, masks = null) {
    let x = tokens.map((token) => embed(this.embedding, [token])); // (B, E)
    const layers = this.cells.map((cell, layer) => {
      x = cell.stepRows(x, states.map((state) => state[layer])); // (B, U)
      return x;
    });
    // The attention's query is the GRU's output (Luong et al., 2015).
    const attended = this.attention // contexts (B, U), weights (B, S)
      ? this.attention.callRows(x, keys, masks)
      : { contexts: x.map(() => keys.summary), weights: x.map(() => null) };
    const joined = x.map((query, b) => { // (B, 2U): [context, query]
      const context = attended.contexts[b];
      const both = new Float64Array(context.length + query.length);
      both.set(context, 0);
      both.set(query, context.length);
      return both;
    });
    const hidden = this.combine.callRows(joined).map((row) => row.map(Math.tanh)); // (B, E or U)
    return {
      logits: this.logits(hidden),
      weights: attended.weights,
      states: tokens.map((_, b) => layers.map((layer) => layer[b])),
    };
  }

  /** hidden (B, E or U) → logits (B, V). */
  logits(hidden) {
    return this.project.callRows(hidden);
  }
}

/** The encoder-decoder of a run: `encode` once per sentence, then `decoder.step`. */
export class Seq2Seq {
  /**
   * @param {object} settings the run's settings from the manifest
   * @param {Map<string, Weight>} arrays
   * @param {{simd?: boolean}} [options] ``simd: false`` multiplies in JavaScript alone
   */
  constructor(settings, arrays, { simd: useSimd = true } = {}) {
    this.settings = settings;
    let floats = 0;
    for (const { data } of arrays.values()) floats += data.length;
    const simd = useSimd ? kernels(floats) : null;
    this.simd = simd !== null;
    this.encoder = new Encoder(settings, arrays, simd);
    this.decoder = new Decoder(settings, arrays, simd);
  }

  /**
   * source ids (S,) → prepared keys (S, U), or without attention the summary (U,) alone,
   * and the decoder's start states.
   * @param {number[]} source
   */
  encode(source) {
    const { keys, summary } = this.encoder.call(source);
    const attention = this.decoder.attention;
    return {
      keys: attention ? attention.prepare(keys, source.length) : { summary },
      states: this.decoder.initialStates(summary),
    };
  }
}
