"""The web side: app factory, auth, API, pages, live stream and CLI."""

from starlette.convertors import Convertor, register_url_convertor


class IdConvertor(Convertor[int]):
    """Path ids of at most nine digits: longer ones cannot exist in an integer column."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


# Registered before any route module compiles its paths.
register_url_convertor("id", IdConvertor())
