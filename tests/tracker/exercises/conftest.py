from tests.exercises_support import bundle, exercise

__all__ = ["bundle", "exercise"]
