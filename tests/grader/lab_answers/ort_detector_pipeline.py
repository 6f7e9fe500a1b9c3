"""A plausible wrong answer (graded by tests/grader/test_lab.py). Never maps the boxes back from the letterboxed frame: WA."""

import numpy as np
import onnxruntime as ort

SIZE, STRIDE, PAD = 32, 8, 114 / 255


def letterbox(image):
    h, w = image.shape[:2]
    scale = min(SIZE / h, SIZE / w)
    nh, nw = int(round(h * scale)), int(round(w * scale))
    ys = np.minimum(np.floor(np.arange(nh) / scale).astype(int), h - 1)
    xs = np.minimum(np.floor(np.arange(nw) / scale).astype(int), w - 1)
    top, left = (SIZE - nh) // 2, (SIZE - nw) // 2
    canvas = np.full((SIZE, SIZE, 3), PAD, np.float32)
    canvas[top : top + nh, left : left + nw] = image[ys][:, xs]
    return canvas.transpose(2, 0, 1)[None], scale, top, left


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def decode(grid, conf_threshold):
    grid = grid[0].astype(np.float64)
    cells = grid.shape[1]
    rows, cols = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
    cx = (cols + sigmoid(grid[0])) * STRIDE
    cy = (rows + sigmoid(grid[1])) * STRIDE
    bw, bh = np.exp(grid[2]) * STRIDE, np.exp(grid[3]) * STRIDE
    scores = sigmoid(grid[4])[None] * sigmoid(grid[5:])
    cls = scores.argmax(axis=0)
    best = scores.max(axis=0)
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, best, cls], axis=-1).reshape(-1, 6)
    return boxes[boxes[:, 4] >= conf_threshold]


def iou(box, others):
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / (area + areas - inter)


def nms(boxes, iou_threshold):
    order = boxes[np.argsort(-boxes[:, 4], kind="stable")]
    kept = []
    for box in order:
        same = [k for k in kept if k[5] == box[5]]
        if not same or iou(box, np.array(same)).max() <= iou_threshold:
            kept.append(box)
    return np.array(kept).reshape(-1, 6)


def detect(model_path, image, conf_threshold, iou_threshold):
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    tensor, scale, top, left = letterbox(image)
    (grid,) = session.run(None, {"input": tensor})
    boxes = nms(decode(grid, conf_threshold), iou_threshold)
    return boxes.astype(np.float32)
