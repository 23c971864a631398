"""The learning app's models, one module per part of 教育培训 (DESIGN.md)."""

from tianping.learning.models.quizzes import (  # noqa: F401
    Attempt,
    AttemptStatus,
    Question,
    QuestionKind,
    Quiz,
    QuizQuestion,
)
from tianping.learning.models.reading import Book, BookCopy, Handover, Recommendation  # noqa: F401
from tianping.learning.models.study import (  # noqa: F401
    PlanTopic,
    ReferenceText,
    Reflection,
    ReflectionStatus,
    SimilarityBand,
    SimilarityMatch,
    StudyPlan,
)
from tianping.learning.models.training import (  # noqa: F401
    ClassSession,
    ClassStatus,
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentResult,
    Feedback,
    TrainingClass,
    TrainingKind,
    TrainingRequirement,
    TrainingSetting,
)
from tianping.learning.models.training_summary import (  # noqa: F401
    ClassCategoryHours,
    ClassCredit,
    ClassLineTally,
    CreditLineStamp,
)
