'use strict';
// Mocket's Node.js file access for `ServeDir` (the `NodeFs` of the
// `mocket-node` backend): a wasm-bindgen snippet like host.js.
//
// `node:fs` is loaded on first use, not when the glue loads, so an app that
// serves no files also runs where `node:fs` does not exist (the fetch export
// on an edge runtime).
//
// Paths reach here already sanitised by the core: `rel` is `/`-separated
// names with no `.`/`..`, no separators inside a name, no NUL. The real path
// of every lookup is checked against the folder's real path, so a symlink
// out of the folder is "missing".

let fsModule = null;
let pathModule = null;

function fs() {
  if (fsModule === null) fsModule = require('node:fs');
  return fsModule;
}

function path() {
  if (pathModule === null) pathModule = require('node:path');
  return pathModule;
}

// At setup: [true, realRoot] when `root` is a readable folder, else
// [false, why].
function checkRoot(root) {
  try {
    const real = fs().realpathSync(root);
    if (!fs().statSync(real).isDirectory()) return [false, 'not a folder'];
    return [true, real];
  } catch (err) {
    return [false, err && err.message ? err.message : String(err)];
  }
}

// What `rel` names under `realRoot`:
//   ['file', size, mtimeSecs, mtimeNanos, realPath]
//   ['dir']
//   ['missing']                  (also: a symlink pointing out of the folder)
//   ['error', code, message]
async function statPath(realRoot, rel) {
  const p = path();
  const joined = rel === '' ? realRoot : p.join(realRoot, ...rel.split('/'));
  try {
    const real = await fs().promises.realpath(joined);
    const inside = p.relative(realRoot, real);
    if (inside === '..' || inside.startsWith(`..${p.sep}`) || p.isAbsolute(inside)) {
      return ['missing'];
    }
    const st = await fs().promises.stat(real, { bigint: true });
    if (st.isDirectory()) return ['dir'];
    if (!st.isFile()) return ['missing'];
    const ns = st.mtimeNs;
    return ['file', Number(st.size), Number(ns / 1000000000n), Number(ns % 1000000000n), real];
  } catch (err) {
    const code = (err && err.code) || '';
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') {
      return ['missing'];
    }
    return ['error', code, err && err.message ? err.message : String(err)];
  }
}

// A `FileHandle` open for reading.
function openFile(realPath) {
  return fs().promises.open(realPath, 'r');
}

// Up to `length` bytes at `position`: a Uint8Array (empty at the end).
async function readFile(handle, position, length) {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
}

function closeFile(handle) {
  handle.close().catch(() => {});
}

module.exports = { checkRoot, statPath, openFile, readFile, closeFile };
