"""Writes of the learning app, one module per part (training, study, reading, quizzes)."""
