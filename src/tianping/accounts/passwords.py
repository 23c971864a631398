"""Password rules in Chinese where Django's own translation is missing."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule. Its message changed in 5.2 and lost the zh-hans translation."""

    def get_error_message(self) -> str:
        return f"密码长度太短：至少需要{self.min_length}个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"
