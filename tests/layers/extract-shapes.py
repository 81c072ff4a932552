#!/usr/bin/python3
# extract-shapes.py: derive tests/layers/real-shapes.json from the real Keras
# files in ../shared/fixtures/real.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Also reads tests/fixtures/generated (tf-keras 2.21 and Keras 3.15 files
# written by real Keras with generate.py).
#
# JSON model configs (to_json files) are recorded too, without weights.
#
# For every HDF5 full-model file (model_config attribute + model_weights
# group) it records the model's layers as Keras wrote them (class name,
# config, inbound nodes normalised to [layer, node, tensor] triples) and the
# weight datasets Keras stored for each layer: [short name, shape, the
# weight_names entry as written ("lstm/lstm_cell/kernel:0")]. The C
# test rebuilds every layer from its config, infers the input shapes through
# the graph and compares the weights it creates with this table, so the table
# is ground truth written by Keras, not by Strata. Identical models that
# appear in several files are kept once.
#
# Run with Debian's python (python3-h5py):
#   /usr/bin/python3 tests/layers/extract-shapes.py ../shared/fixtures/real \
#       tests/fixtures/generated > tests/layers/real-shapes.json

import hashlib
import json
import os
import sys

import h5py


def text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return str(value)


def node_refs(node):
    """Normalises one inbound node of any Keras generation to a list of
    [layer_name, node_index, tensor_index]."""
    refs = []
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        def walk(obj):
            if isinstance(obj, dict):
                if obj.get('class_name') == '__keras_tensor__':
                    h = obj['config']['keras_history']
                    refs.append([h[0], h[1], h[2]])
                    return
                for v in obj.values():
                    walk(v)
            elif isinstance(obj, list):
                for v in obj:
                    walk(v)
        walk(node.get('args', []))
        return refs
    for entry in node:  # Keras 1/2: [[name, node, tensor, kwargs], ...]
        refs.append([entry[0], entry[1], entry[2] if len(entry) > 2 else 0])
    return refs


def short_name(name):
    """The name Keras shows between "<layer>/" and ":0", without the name
    scopes that vary between versions ("sequential/", "lstm_cell/"); the
    sub-layer of a Bidirectional wrapper stays ("forward_lstm/kernel").
    Keras 1 names ("dense_1_W") are kept whole."""
    if name.endswith(':0'):
        name = name[:-2]
    parts = name.split('/')
    for p in parts[:-1]:
        if p.startswith('forward_') or p.startswith('backward_'):
            return p + '/' + parts[-1]
    return parts[-1]


def layer_weights(group, layer_name):
    if layer_name not in group:
        return []
    g = group[layer_name]
    names = [text(n) for n in g.attrs.get('weight_names', [])]
    out = []
    for n in names:
        ds = g[n]
        out.append([short_name(n), list(int(d) for d in ds.shape), n])
    return out


def model_layers(config):
    cls = config['class_name']
    cfg = config['config']
    if isinstance(cfg, list):  # Keras 1/2.0 Sequential: a bare list
        return cls, cfg
    return cls, cfg['layers']


def extract(path, rel):
    with h5py.File(path, 'r') as f:
        if 'model_config' not in f.attrs or 'model_weights' not in f:
            return None
        config = json.loads(text(f.attrs['model_config']))
        version = text(f.attrs.get('keras_version', ''))
        backend = text(f.attrs.get('backend', ''))
        if config.get('class_name') not in ('Sequential', 'Model', 'Functional'):
            return None
        model_class, layers = model_layers(config)
        weights = f['model_weights']
        out_layers = []
        for layer in layers:
            cfg = layer.get('config', {})
            name = cfg.get('name', layer.get('name'))
            entry = {'class_name': layer['class_name'],
                     'object': layer,
                     'weights': layer_weights(weights, name)}
            if 'inbound_nodes' in layer:
                entry['inbound'] = [node_refs(n) for n in layer['inbound_nodes']]
            out_layers.append(entry)
        return {'file': rel, 'keras_version': version, 'backend': backend,
                'model_class': model_class, 'layers': out_layers}


def extract_json(path, rel):
    """A to_json() model config: layers and graph, no weights ("weights":
    null), so the test checks shape inference and building only."""
    with open(path, 'rb') as f:
        try:
            config = json.loads(f.read().decode('utf-8'))
        except (UnicodeDecodeError, ValueError):
            return None
    if not isinstance(config, dict) or config.get('class_name') not in ('Sequential', 'Model', 'Functional'):
        return None
    if 'config' not in config:
        return None
    model_class, layers = model_layers(config)
    out_layers = []
    for layer in layers:
        entry = {'class_name': layer['class_name'], 'object': layer, 'weights': None}
        if 'inbound_nodes' in layer:
            entry['inbound'] = [node_refs(n) for n in layer['inbound_nodes']]
        out_layers.append(entry)
    return {'file': rel, 'keras_version': str(config.get('keras_version', '')),
            'backend': str(config.get('backend', '')), 'model_class': model_class,
            'layers': out_layers}


def main():
    models = []
    seen = set()
    for root in sys.argv[1:]:
        extract_tree(root, models, seen)
    json.dump({'generator': 'tests/layers/extract-shapes.py', 'models': models},
              sys.stdout, indent=None, sort_keys=True)
    sys.stdout.write('\n')


def extract_tree(root, models, seen):
    prefix = os.path.basename(os.path.normpath(root))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith('.h5') and not fn.endswith('.json'):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.join(prefix, os.path.relpath(path, root))
            try:
                if fn.endswith('.h5'):
                    model = extract(path, rel)
                else:
                    model = extract_json(path, rel)
            except (OSError, KeyError, ValueError, TypeError) as e:
                print('skipping %s: %s' % (rel, e), file=sys.stderr)
                continue
            if model is None:
                continue
            key = hashlib.sha256(json.dumps([model['keras_version'], model['layers']],
                                            sort_keys=True).encode()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            models.append(model)


if __name__ == '__main__':
    main()
