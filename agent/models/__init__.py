from .cache import CachedResponse
from .calibration import ConfidenceCalibration
from .conversations import Conversation, Customer, Message, Ticket
from .drafts import Draft, ThresholdPolicy
from .experiments import Experiment, ExperimentArm
from .feedback import AnswerFeedback, ConversationRating
from .knowledge import KnowledgeArticle
from .runs import AgentRun, AgentStep, AgentVersion, LanguageModel

__all__ = [
    "AgentRun",
    "AgentStep",
    "AgentVersion",
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
    "LanguageModel",
    "Message",
    "ThresholdPolicy",
    "Ticket",
]
