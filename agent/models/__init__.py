from .cache import CachedResponse
from .calibration import ConfidenceCalibration
from .conversations import Conversation, Customer, Message, SensitiveDataReveal, Ticket
from .drafts import Draft, ThresholdPolicy
from .experiments import Experiment, ExperimentArm
from .feedback import AnswerFeedback, ConversationRating
from .knowledge import ArticleRevision, KnowledgeArticle, KnowledgePassage, KnowledgeSource, PassageVector
from .runs import AgentRun, AgentStep, AgentVersion, LanguageModel

__all__ = [
    "AgentRun",
    "AgentStep",
    "AgentVersion",
    "ArticleRevision",
    "AnswerFeedback",
    "CachedResponse",
    "ConfidenceCalibration",
    "Conversation",
    "ConversationRating",
    "Customer",
    "Draft",
    "Experiment",
    "ExperimentArm",
    "KnowledgeArticle",
    "KnowledgePassage",
    "KnowledgeSource",
    "SensitiveDataReveal",
    "PassageVector",
    "LanguageModel",
    "Message",
    "ThresholdPolicy",
    "Ticket",
]
