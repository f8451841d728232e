"""LLR: the learning and career account (leer- en loopbaanrekening) of Flanders."""
