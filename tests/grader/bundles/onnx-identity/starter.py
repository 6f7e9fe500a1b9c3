def export(out_path):
    raise NotImplementedError
