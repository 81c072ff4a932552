// gjs-weights.js: weight lists handed to GJS keep their references right
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Reads a model's weights many times and collects garbage in between: the
// model's tensors must stay valid (with G_DEBUG=fatal-criticals, a tensor
// unreffed once too often aborts the test).
// Usage: gjs -m gjs-weights.js MODEL

import Gio from 'gi://Gio';
import Strata from 'gi://Strata?version=1.0';
import System from 'system';

const [path] = System.programArgs;
const model = Strata.load_model(Gio.File.new_for_commandline_arg(path), null, null);
const digests = model.get_weights().map(t => t.get_sha256());
for (let i = 0; i < 5; i++) {
    const weights = model.get_weights();
    if (weights.length !== digests.length)
        throw new Error(`read ${weights.length} weights, then ${digests.length}`);
    System.gc();
}
const again = model.get_weights().map(t => t.get_sha256());
if (again.join() !== digests.join())
    throw new Error('the weights changed while being read');
print(`${digests.length} weights read 7 times`);
