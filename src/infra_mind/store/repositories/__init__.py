"""Repositories take the caller's session and never commit: the unit of work (Database.session) does.

Getters of user-owned rows take the owner's id and answer None for anyone else's row (the API's 404).
"""

from infra_mind.store.repositories.api_keys import ApiKeyRepository
from infra_mind.store.repositories.assessments import AssessmentRepository
from infra_mind.store.repositories.chat import ChatRepository
from infra_mind.store.repositories.drafts import DraftRepository
from infra_mind.store.repositories.events import EventRepository
from infra_mind.store.repositories.paging import Page
from infra_mind.store.repositories.results import ResultRepository
from infra_mind.store.repositories.runs import RunRepository
from infra_mind.store.repositories.tokens import RefreshTokenRepository
from infra_mind.store.repositories.users import UserRepository
from infra_mind.store.repositories.web_sessions import WebSessionRepository

__all__ = [
    "ApiKeyRepository",
    "AssessmentRepository",
    "ChatRepository",
    "DraftRepository",
    "EventRepository",
    "Page",
    "RefreshTokenRepository",
    "ResultRepository",
    "RunRepository",
    "UserRepository",
    "WebSessionRepository",
]
