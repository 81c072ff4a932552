// gjs-predict.js: Strata.Model.predict through the typelib, from GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs dl4j's fullconfigs cnn model (real Keras 2 file) on its input.npy
// and compares with its predictions.npy (both written by NumPy, read here
// by a minimal .npy reader) to 1e-5, relative or absolute.
// Usage: gjs -m gjs-predict.js MODEL INPUT.npy PREDICTIONS.npy

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Strata from 'gi://Strata?version=1.0';
import System from 'system';

function readNpy(path) {
    const [, bytes] = GLib.file_get_contents(path);
    if (bytes[6] !== 1)
        throw new Error(`${path}: only .npy format 1.0 is read here`);
    const headerLength = bytes[8] | (bytes[9] << 8);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
    const descr = header.match(/'descr': '([^']*)'/)[1];
    const data = bytes.slice(10 + headerLength);
    if (descr === '<f8')
        return {shape, values: Array.from(new Float64Array(data.buffer))};
    if (descr === '<f4')
        return {shape, values: Array.from(new Float32Array(data.buffer))};
    throw new Error(`${path}: dtype ${descr} is not read here`);
}

// TAP: one check.
function check() {
    const [modelPath, inputPath, predictionsPath] = System.programArgs;
    const model = Strata.load_model(Gio.File.new_for_commandline_arg(modelPath), null, null);
    const x = readNpy(inputPath);
    const want = readNpy(predictionsPath);
    const input = Strata.Tensor.new_from_floats(Strata.Shape.new(x.shape), x.values);
    const outputs = model.predict([input], null);
    if (outputs.length !== 1)
        throw new Error(`${outputs.length} outputs, expected 1`);
    const got = new Float32Array(outputs[0].get_data().toArray().slice().buffer);
    if (got.length !== want.values.length)
        throw new Error(`${got.length} values, expected ${want.values.length}`);
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
        const error = Math.abs(got[i] - want.values[i]);
        if (!Number.isFinite(got[i]) || error > 1e-5 * Math.max(1, Math.abs(want.values[i])))
            throw new Error(`value ${i} is ${got[i]}, expected ${want.values[i]}`);
        worst = Math.max(worst, error);
    }
    return `${got.length} predictions match Keras's (largest difference ${worst})`;
}

print('1..1');
try {
    print(`ok 1 - ${check()}`);
} catch (e) {
    print('not ok 1 - predict through the typelib');
    print(`# ${e.message}`);
    System.exit(1);
}
