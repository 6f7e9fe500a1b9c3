"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Writes every weight blob without its 4-byte flag: ncnn's load_model runs out of data; WA on every case."""

import struct

import numpy as np


def _conv(kind, name, bottom, top, weight, bias, group=1):
    out_channels, _, kernel, _ = weight.shape
    # 0 num_output, 1 kernel_w, 4 pad_left (the others default to it), 5 bias_term, 6 weight_data_size,
    # 9 activation_type (1: ReLU, fused), 7 group (ConvolutionDepthWise only).
    params = f"0={out_channels} 1={kernel} 4={kernel // 2} 5=1 6={weight.size} 9=1"
    if group > 1:
        params += f" 7={group}"
    return f"{kind} {name} 1 1 {bottom} {top} {params}", (weight, bias)


def write_ncnn_model(conv1_w, conv1_b, dw_w, dw_b, pw_w, pw_b, fc_w, fc_b, param_path, bin_path):
    layers = [
        ("Input input 0 1 input", None),
        _conv("Convolution", "conv1", "input", "r1", conv1_w, conv1_b),
        _conv("ConvolutionDepthWise", "dw", "r1", "r2", dw_w, dw_b, group=dw_w.shape[0]),
        _conv("Convolution", "pw", "r2", "r3", pw_w, pw_b),
        ("Pooling gap 1 1 r3 pooled 0=1 4=1", None),  # 0=1: average pooling, 4=1: global
        (f"InnerProduct fc 1 1 pooled logits 0={fc_w.shape[0]} 1=1 2={fc_w.size}", (fc_w, fc_b)),
    ]
    blobs = ["input", "r1", "r2", "r3", "pooled", "logits"]
    with open(param_path, "w", encoding="ascii") as handle:
        handle.write(f"7767517\n{len(layers)} {len(blobs)}\n")
        handle.writelines(line + "\n" for line, _ in layers)
    with open(bin_path, "wb") as handle:
        for _, data in layers:
            if data is None:
                continue
            weight, bias = data
            # A weight blob starts with a 4-byte flag (0: raw float32); the bias after it has none.
            handle.write(np.ascontiguousarray(weight, dtype="<f4").tobytes())
            handle.write(np.ascontiguousarray(bias, dtype="<f4").tobytes())
