"""Numerics of sklr: activations, losses and stacked networks (numpy only)."""
