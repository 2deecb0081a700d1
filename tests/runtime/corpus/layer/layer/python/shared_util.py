VERSION = "layer-1"
