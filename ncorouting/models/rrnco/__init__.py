"""RRNCO: adaptive node embedding, AAFM encoder with neural adaptive bias, distance-aware decoder."""
