"""Fine-tuning, evaluation, baselines and publishing for c5-stance."""
