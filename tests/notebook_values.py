"""The captioning notebooks' fixed-input forward checks, as data: each layer's inputs (np.linspace ranges
reshaped, as the notebooks build them), the values the notebook prints, and the error it asks for.
The numpy edition (RNN_Captioning / LSTM_Captioning, 2024) and the PyTorch edition (RNN_Captioning_pytorch,
2025/2026, which prints the same values for the RNN layers; the LSTM ones are LSTM_Captioning's) share them:
tests/test_cs231n_rnn.py and tests/test_cs231n_rnn_pytorch.py run each case on their own module."""
from typing import NamedTuple

import numpy as np


class ForwardCheck(NamedTuple):
    inputs: tuple      # per argument: (low, high, shape) for np.linspace(low, high, num=size).reshape(shape),
                       # or an integer array as is
    expected: tuple    # the printed outputs, in the order the layer returns them
    bound: float       # the notebook's "error should be around ... or less"


def linspace(low, high, shape):
    return np.linspace(low, high, num=int(np.prod(shape))).reshape(shape)


def check_inputs(check):
    """The case's arguments as numpy arrays (float64 linspaces, integer indices as given)."""
    return [linspace(*spec) if isinstance(spec, tuple) else spec for spec in check.inputs]


FORWARD_CHECKS = {
    "rnn_step_forward": ForwardCheck(
        ((-0.4, 0.7, (3, 10)), (-0.2, 0.5, (3, 4)), (-0.1, 0.9, (10, 4)), (-0.3, 0.7, (4, 4)), (-0.2, 0.4, (4,))),
        (np.asarray([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                     [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                     [0.97934501, 0.99144213, 0.99646691, 0.99854353]]),),
        1e-8),
    "rnn_forward": ForwardCheck(
        ((-0.1, 0.3, (2, 3, 4)), (-0.3, 0.1, (2, 5)), (-0.2, 0.4, (4, 5)), (-0.4, 0.1, (5, 5)), (-0.7, 0.1, (5,))),
        (np.asarray([[[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
                      [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
                      [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
                     [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
                      [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
                      [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]]),),
        1e-7),
    # "around 1e-8": its own reference prints 1.0000000094736443e-08 (the 8 printed decimals), so 2e-8
    "word_embedding_forward": ForwardCheck(
        (np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]]), (0, 1, (5, 3))),
        (np.asarray([[[0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
                      [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
                     [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
                      [0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]]),),
        2e-8),
    # gates i, f, o, g, as the starter's docstring
    "lstm_step_forward": ForwardCheck(
        ((-0.4, 1.2, (3, 4)), (-0.3, 0.7, (3, 5)), (-0.4, 0.9, (3, 5)), (-2.1, 1.3, (4, 20)), (-0.7, 2.2, (5, 20)),
         (0.3, 0.7, (20,))),
        (np.asarray([[0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
                     [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
                     [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]]),
         np.asarray([[0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
                     [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
                     [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])),
        1e-8),
    "lstm_forward": ForwardCheck(
        ((-0.4, 0.6, (2, 3, 5)), (-0.4, 0.8, (2, 4)), (-0.2, 0.9, (5, 16)), (-0.3, 0.6, (4, 16)), (0.2, 0.7, (16,))),
        (np.asarray([[[0.01764008, 0.01823233, 0.01882671, 0.0194232],
                      [0.11287491, 0.12146228, 0.13018446, 0.13902939],
                      [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
                     [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
                      [0.6704845, 0.69350089, 0.71486014, 0.7346449],
                      [0.81733511, 0.83677871, 0.85403753, 0.86935314]]]),),
        1e-7),
}
