"""Offline evaluation on MovieLens: loading, temporal split, metrics, baselines and tuning."""
