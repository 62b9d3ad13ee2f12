from .cache import CachedResponse
from .calibration import ConfidenceCalibration
from .conversations import Conversation, Customer, Message, Ticket
from .drafts import Draft, ThresholdPolicy
from .knowledge import KnowledgeArticle
from .runs import AgentRun, AgentStep, AgentVersion, LanguageModel

__all__ = [
    "AgentRun",
    "AgentStep",
    "AgentVersion",
    "CachedResponse",
    "ConfidenceCalibration",
    "Conversation",
    "Customer",
    "Draft",
    "KnowledgeArticle",
    "LanguageModel",
    "Message",
    "ThresholdPolicy",
    "Ticket",
]
