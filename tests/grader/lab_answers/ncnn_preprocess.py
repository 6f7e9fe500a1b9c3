"""A plausible wrong answer (graded by tests/grader/test_lab_runtimes.py). Feeds the BGR frame without swapping to RGB (PIXEL_BGR): WA, cosine about 0.9."""

import ncnn
import numpy as np

SIZE = 32


def classify(param_path, bin_path, image, mean, std):
    net = ncnn.Net()
    net.opt.num_threads = 1
    # float32 throughout: ncnn stores weights as fp16 where the CPU has the instructions for it.
    net.opt.use_fp16_packed = net.opt.use_fp16_storage = net.opt.use_fp16_arithmetic = False
    net.load_param(param_path)
    net.load_model(bin_path)
    height, width, _ = image.shape
    # The frame is BGR (as OpenCV decodes it); the network was trained on RGB. ncnn swaps and resizes
    # (bilinear) in one pass, then normalises in place: (x - mean) * norm, on the 0..255 scale.
    mat = ncnn.Mat.from_pixels_resize(
        np.ascontiguousarray(image), ncnn.Mat.PixelType.PIXEL_BGR, width, height, SIZE, SIZE
    )
    mat.substract_mean_normalize(list(mean), [1.0 / s for s in std])
    with net.create_extractor() as ex:
        ex.input("input", mat)
        _, out = ex.extract("logits")
        return np.array(out, dtype=np.float32)[None, :]
