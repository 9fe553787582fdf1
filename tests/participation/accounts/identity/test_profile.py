"""The display name: what others see instead of an email address."""

from __future__ import annotations

import pytest

from participation.accounts.identity.profile import change_display_name
from participation.accounts.models import User
from participation.errors import InvalidInput, NotAuthenticated
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_a_new_name_is_tidied_and_stored() -> None:
    clara = await factories.person(name="Clara")
    user = await change_display_name(clara, "  Clara   Beispiel ")
    assert user.display_name == "Clara Beispiel"
    assert (await User.get(id=clara.user_id)).display_name == "Clara Beispiel"


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 81, "Clara\x00", "Cla\u0007ra", "Cla\u202era", "Clara\tB"]
)
async def test_bad_names_are_refused_naming_the_field(name: str) -> None:
    clara = await factories.person(name="Clara")
    with pytest.raises(InvalidInput) as raised:
        await change_display_name(clara, name)
    assert [e.field for e in raised.value.errors] == ["display_name"]
    assert (await User.get(id=clara.user_id)).display_name == "Clara"


async def test_nobody_cannot_rename() -> None:
    with pytest.raises(NotAuthenticated):
        await change_display_name(None, "Clara")
