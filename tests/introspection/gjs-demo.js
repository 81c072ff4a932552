// gjs-demo.js: load a model, print its summary, save it in another format
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m gjs-demo.js INPUT OUTPUT [FORMAT]

import Gio from 'gi://Gio';
import Strata from 'gi://Strata?version=1.0';
import System from 'system';

const [input, output, format] = System.programArgs;
if (!input || !output) {
    printerr('usage: gjs -m gjs-demo.js INPUT OUTPUT [FORMAT]');
    System.exit(2);
}

try {
    const loadOptions = Strata.LoadOptions.new();
    loadOptions.set_compile(false);
    const model = Strata.load_model(Gio.File.new_for_commandline_arg(input), loadOptions, null);
    print(model.summary());

    const names = [];
    for (let i = 0; i < model.get_n_layers(); i++) {
        const layer = model.get_layer_at(i);
        names.push(layer.get_name());
        print(`  ${layer.get_name()} (${layer.get_class_name()}): ${layer.get_n_weights()} weights`);
    }

    const saveOptions = Strata.SaveOptions.new();
    saveOptions.set_overwrite(true);
    if (format)
        saveOptions.set_format(format);
    const file = Gio.File.new_for_commandline_arg(output);
    model.save(file, saveOptions, null);

    const again = Strata.load_model(file, loadOptions, null);
    const againNames = [];
    for (let i = 0; i < again.get_n_layers(); i++)
        againNames.push(again.get_layer_at(i).get_name());
    if (againNames.join(',') !== names.join(',')) {
        printerr(`layers changed: ${names} became ${againNames}`);
        System.exit(1);
    }
    print(`saved ${file.get_path()}`);
} catch (e) {
    printerr(`gjs-demo: ${e.message}`);
    System.exit(1);
}
