// A run's files as the export wrote them (seq2seq/web.py): each checked against the
// manifest's sha256, gunzipped by the browser (or by the host, as Content-Encoding), the
// weights turned back into arrays.

import { sha256 } from "./sha256.js";

/** A file that is not the one the manifest describes: damaged, cut short or replaced. */
export class DamagedFile extends Error {}

/**
 * The unpacked bytes of the gzipped file ``path`` (relative to ``base``), refused unless
 * they are the ones the manifest's ``files`` describes. A host may send a ``.gz`` file
 * as it is or marked ``Content-Encoding: gzip``, in which case the browser has already
 * unpacked it: whichever arrived is checked against the manifest's facts of that form.
 * @param {string} base
 * @param {string} path
 * @param {{bytes: number, sha256: string, gunzipped: {bytes: number, sha256: string}}} expected
 * @returns {Promise<Uint8Array>}
 */
export async function fetchUnpacked(base, path, expected) {
  const response = await fetch(new URL(path, base));
  if (!response.ok) {
    throw new DamagedFile(`${path} cannot be loaded (the server answered ${response.status}); ` +
      "copy the exported folder again, whole.");
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // gzip's magic number, which an unpacked file never starts with: the weights' first
  // bytes are zeroed mantissa bits, the vocabulary's is "{".
  const packed = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const facts = packed || !expected.gunzipped ? expected : expected.gunzipped;
  if (bytes.length !== facts.bytes) {
    throw new DamagedFile(`${path} has ${bytes.length.toLocaleString("en")} bytes where the ` +
      `manifest says ${facts.bytes.toLocaleString("en")}: it is cut short or replaced; ` +
      "copy the exported folder again, whole.");
  }
  if (await sha256(bytes) !== facts.sha256) {
    throw new DamagedFile(`${path} is damaged (its sha256 is not the manifest's); ` +
      "copy the exported folder again, whole.");
  }
  return packed ? gunzip(bytes) : bytes;
}

/**
 * ``bytes`` gunzipped by the browser.
 * @param {Uint8Array} bytes
 * @returns {Promise<Uint8Array>}
 */
export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The arrays of a weights file: float32 values whose bytes were grouped by position
 * (all first bytes, then all second bytes, ...), cut into the named shapes.
 * @param {Uint8Array} planes the gunzipped file, 4 × N bytes
 * @param {{name: string, shape: number[]}[]} described
 * @returns {Map<string, {data: Float32Array, shape: number[]}>}
 */
export function arraysOf(planes, described) {
  const count = planes.length / 4;
  const interleaved = new Uint8Array(planes.length);
  for (let byte = 0; byte < 4; byte += 1) {
    const plane = planes.subarray(byte * count, (byte + 1) * count);
    for (let i = 0; i < count; i += 1) interleaved[4 * i + byte] = plane[i];
  }
  // Little-endian, as the export wrote them and as every browser's platform is.
  const values = new Float32Array(interleaved.buffer);
  const arrays = new Map();
  let offset = 0;
  for (const { name, shape } of described) {
    const size = shape.reduce((a, b) => a * b, 1);
    arrays.set(name, { data: values.subarray(offset, offset + size), shape });
    offset += size;
  }
  if (offset !== count) throw new DamagedFile(`the weights hold ${count} values, not ${offset}`);
  return arrays;
}
