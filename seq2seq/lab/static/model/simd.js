// The one product that decoding spends its time in, ``out[r] = rows[r] · x`` for every
// row of a matrix, as a WebAssembly function with 128-bit SIMD: four float32 products
// at a time, about five times the plain JavaScript loop's speed (docs/web.md). The
// module is a few dozen bytes assembled below from its instructions, so the page
// ships no compiled file; where WebAssembly or its SIMD is missing (or a page's
// policy forbids compiling it) `kernels` returns null and model.js multiplies in
// JavaScript.
//
// The function, in WebAssembly's text format:
//
//   (func (export "dot_rows") (param $rows i32) (param $count i32) (param $width i32)
//                             (param $x i32) (param $out i32)
//     ;; $rows: count × width float32, row-major; width a multiple of 8; pointers in bytes
//     (local $row i32) (local $end i32) (local $k i32) (local $bytes i32)
//     (local $sum0 v128) (local $sum1 v128)
//     bytes = width * 4; end = rows + count * bytes; row = rows
//     block loop                                   ;; each row
//       br_if 1 (row >= end)
//       sum0 = sum1 = 0; k = 0
//       loop                                       ;; eight columns at a time
//         sum0 += load(row + k) * load(x + k)
//         sum1 += load(row + k + 16) * load(x + k + 16)
//         k += 32
//         br_if 0 (k < bytes)
//       end
//       sum0 += sum1
//       store(out, (lane0 + lane1) + (lane2 + lane3)); out += 4; row += bytes
//       br 0
//     end end)

const PAGE_BYTES = 65536;
const ALIGN_FLOATS = 4; // 16 bytes, one v128

const leb = (value) => {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    bytes.push(byte);
  } while (value);
  return bytes;
};
const text = (string) => [...leb(string.length), ...[...string].map((c) => c.charCodeAt(0))];
const section = (id, body) => [id, ...leb(body.length), ...body];

// Instructions, by name (WebAssembly core specification 2.0, section 5.4).
const I32 = 0x7f;
const V128 = 0x7b;
const get = (index) => [0x20, index];
const set = (index) => [0x21, index];
const i32 = (value) => [0x41, ...leb(value)];
const add = [0x6a];
const mul = [0x6c];
const geU = [0x4f];
const ltU = [0x49];
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const end = [0x0b];
const br = (depth) => [0x0c, depth];
const brIf = (depth) => [0x0d, depth];
const load = (offset) => [0xfd, 0x00, 2, ...leb(offset)]; // v128.load, 4-byte alignment hint
const zero = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const 0
const f32x4Add = [0xfd, 0xe4, 0x01];
const f32x4Mul = [0xfd, 0xe6, 0x01];
const lane = (index) => [0xfd, 0x1f, index]; // f32x4.extract_lane
const f32Add = [0x92];
const f32Store = [0x38, 2, 0];

// Parameters 0 rows, 1 count, 2 width, 3 x, 4 out; locals 5 row, 6 end, 7 k, 8 bytes,
// 9 sum0, 10 sum1.
const [ROWS, COUNT, WIDTH, X, OUT, ROW, END, K, BYTES, SUM0, SUM1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const accumulate = (sum, offset) => [
  ...get(sum), ...get(ROW), ...get(K), ...add, ...load(offset),
  ...get(X), ...get(K), ...add, ...load(offset), ...f32x4Mul, ...f32x4Add, ...set(sum),
];
const BODY = [
  ...get(WIDTH), ...i32(4), ...mul, ...set(BYTES),
  ...get(ROWS), ...get(COUNT), ...get(BYTES), ...mul, ...add, ...set(END),
  ...get(ROWS), ...set(ROW),
  ...block, ...loop,
  ...get(ROW), ...get(END), ...geU, ...brIf(1),
  ...zero, ...set(SUM0), ...zero, ...set(SUM1), ...i32(0), ...set(K),
  ...loop,
  ...accumulate(SUM0, 0), ...accumulate(SUM1, 16),
  ...get(K), ...i32(32), ...add, ...set(K),
  ...get(K), ...get(BYTES), ...ltU, ...brIf(0),
  ...end,
  ...get(SUM0), ...get(SUM1), ...f32x4Add, ...set(SUM0),
  ...get(OUT),
  ...get(SUM0), ...lane(0), ...get(SUM0), ...lane(1), ...f32Add,
  ...get(SUM0), ...lane(2), ...get(SUM0), ...lane(3), ...f32Add, ...f32Add,
  ...f32Store,
  ...get(OUT), ...i32(4), ...add, ...set(OUT),
  ...get(ROW), ...get(BYTES), ...add, ...set(ROW),
  ...br(0),
  ...end, ...end, ...end,
];
const LOCALS = [2, 4, I32, 2, V128];

function moduleBytes(pages) {
  const type = [1, 0x60, 5, I32, I32, I32, I32, I32, 0];
  const memory = [1, ...text("env"), ...text("memory"), 0x02, 0x00, ...leb(pages)];
  const code = [...LOCALS, ...BODY];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(2, memory),
    ...section(3, [1, 0]),
    ...section(7, [1, ...text("dot_rows"), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}

/**
 * Float32 memory shared with the SIMD product, or null where the page cannot have it.
 * @param {number} floats how many float32 values to make room for
 * @returns {{alloc: (count: number) => number, view: () => Float32Array,
 *   dotRows: (rows: number, count: number, width: number, x: number, out: number) => void} | null}
 *   offsets and pointers in floats
 */
export function kernels(floats) {
  if (typeof WebAssembly !== "object") return null;
  try {
    const pages = Math.ceil((floats + 1024) * 4 / PAGE_BYTES);
    const memory = new WebAssembly.Memory({ initial: pages });
    const bytes = moduleBytes(pages);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD in this browser
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const dotRows = instance.exports.dot_rows;
    let used = 0;
    let view = new Float32Array(memory.buffer);
    return {
      alloc(count) {
        const start = used;
        used += Math.ceil(count / ALIGN_FLOATS) * ALIGN_FLOATS;
        if (used * 4 > memory.buffer.byteLength) {
          memory.grow(Math.ceil((used * 4 - memory.buffer.byteLength) / PAGE_BYTES));
          view = new Float32Array(memory.buffer);
        }
        return start;
      },
      view: () => view,
      dotRows: (rows, count, width, x, out) => dotRows(rows * 4, count, width, x * 4, out * 4),
    };
  } catch (error) {
    return null; // a policy that forbids compiling WebAssembly: multiply in JavaScript
  }
}
