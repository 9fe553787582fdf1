"""What people do in a discussion.

Writing and endorsing ask for the municipality's verification level, as co-signing does
(`Need(level=True)`): a discussion of a town's mandate is for the people who live there,
and the municipality decides whether declaring residence is enough. Official statements
are the council's and administrators' alone. Editing and deleting are the author's.
"""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

POST_COMMENT = Action("deliberation:comment:post", Need(level=True))
POST_OFFICIAL = Action("deliberation:comment:official", Need(roles=COUNCIL))
ENDORSE_COMMENT = Action("deliberation:comment:endorse", Need(level=True))
EDIT_COMMENT = Action("deliberation:comment:edit", Need(owner=True))
DELETE_COMMENT = Action("deliberation:comment:delete", Need(owner=True))

ACTIONS = (POST_COMMENT, POST_OFFICIAL, ENDORSE_COMMENT, EDIT_COMMENT, DELETE_COMMENT)
