from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra_mind.errors import Conflict
from infra_mind.store.db import Database
from infra_mind.store.repositories import ApiKeyRepository, RefreshTokenRepository, UserRepository

from .conftest import add_user


async def test_emails_are_unique_whatever_their_case(db: Database) -> None:
    await add_user(db, "ana@example.org")
    with pytest.raises(Conflict):
        async with db.session() as session:
            await UserRepository(session).create(" Ana@Example.org", "hash")
    async with db.session() as session:
        assert await UserRepository(session).count() == 1


async def test_api_keys_are_found_by_hash_until_revoked_and_only_their_owner_revokes_them(
    db: Database,
) -> None:
    ana = await add_user(db, "ana@example.org")
    ben = await add_user(db, "ben@example.org")
    async with db.session() as session:
        key = await ApiKeyRepository(session).create(
            ana.id, name="ci", key_hash="sha256:abc", prefix="im_ab12", scopes=["assessments:write"]
        )
    async with db.session() as session:
        keys = ApiKeyRepository(session)
        found = await keys.active_by_hash("sha256:abc")
        assert found is not None
        assert found.scopes == ["assessments:write"]
        await keys.mark_used(key.id)
        assert not await keys.revoke(ben.id, key.id)
        assert await keys.revoke(ana.id, key.id)
        assert not await keys.revoke(ana.id, key.id)
    async with db.session() as session:
        keys = ApiKeyRepository(session)
        assert await keys.active_by_hash("sha256:abc") is None
        [listed] = await keys.list_for(ana.id)
        assert listed.revoked_at is not None
        assert listed.last_used_at is not None
        assert await keys.list_for(ben.id) == []


async def test_refresh_rotation_links_tokens_and_refuses_a_second_rotation(db: Database) -> None:
    ana = await add_user(db, "ana@example.org")
    expires = datetime.now(UTC) + timedelta(days=14)
    async with db.session() as session:
        first = await RefreshTokenRepository(session).issue(ana.id, token_hash="t1", expires_at=expires)
    async with db.session() as session:
        tokens = RefreshTokenRepository(session)
        second = await tokens.rotate(first, token_hash="t2", expires_at=expires)
        assert second is not None
        assert second.family_id == first.family_id
    async with db.session() as session:
        tokens = RefreshTokenRepository(session)
        old = await tokens.by_hash("t1")
        assert old is not None
        assert old.revoked_at is not None
        assert old.replaced_by == second.id
        assert await tokens.rotate(old, token_hash="t3", expires_at=expires) is None
        assert await tokens.by_hash("t3") is None
        assert await tokens.revoke_family(first.family_id) == 1
    async with db.session() as session:
        current = await RefreshTokenRepository(session).by_hash("t2")
        assert current is not None
        assert current.revoked_at is not None
