/* vala-demo.vala: load a model, print its summary, save it in another format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: vala-demo INPUT OUTPUT [FORMAT]
 */

int main (string[] args) {
    if (args.length < 3) {
        stderr.printf ("usage: %s INPUT OUTPUT [FORMAT]\n", args[0]);
        return 2;
    }

    try {
        var load_options = new Strata.LoadOptions ();
        load_options.set_compile (false);
        var model = Strata.load_model (File.new_for_commandline_arg (args[1]), load_options, null);

        stdout.printf ("%s\n", model.summary ());
        stdout.printf ("layers: %u\n", model.get_n_layers ());
        for (uint i = 0; i < model.get_n_layers (); i++) {
            var layer = model.get_layer_at (i);
            stdout.printf ("  %s (%s): %u weights\n", layer.get_name (), layer.get_class_name (),
                           layer.get_n_weights ());
        }

        var save_options = new Strata.SaveOptions ();
        save_options.set_overwrite (true);
        if (args.length > 3)
            save_options.set_format (args[3]);
        var output = File.new_for_commandline_arg (args[2]);
        model.save (output, save_options, null);

        /* Read it back: the same layers, in the same order. */
        var again = Strata.load_model (output, load_options, null);
        if (again.get_n_layers () != model.get_n_layers ()) {
            stderr.printf ("saved %u layers, read back %u\n", model.get_n_layers (), again.get_n_layers ());
            return 1;
        }
        for (uint i = 0; i < model.get_n_layers (); i++) {
            if (again.get_layer_at (i).get_name () != model.get_layer_at (i).get_name ()) {
                stderr.printf ("layer %u: %s became %s\n", i, model.get_layer_at (i).get_name (),
                               again.get_layer_at (i).get_name ());
                return 1;
            }
        }
        stdout.printf ("saved %s\n", output.get_path ());
    } catch (Error e) {
        stderr.printf ("vala-demo: %s\n", e.message);
        return 1;
    }
    return 0;
}
