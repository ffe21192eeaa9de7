"""SAM 2 / SAM 2.1 / MedSAM-2 architecture in PyTorch, written from the published architecture so
that official checkpoints load with strict=True, plus the export of the four graphs of the engine's
model contract (models/README.md) and a reference propagation loop."""
