"""quizzes models (filled by its part)."""
