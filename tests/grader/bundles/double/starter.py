import numpy as np


def double(x: np.ndarray) -> np.ndarray:
    raise NotImplementedError
