import numpy as np


def double(x: np.ndarray) -> np.ndarray:
    return np.asarray(x) * 2
