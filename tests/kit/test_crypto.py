from hypothesis import given
from hypothesis import strategies as st

from gridgov.kit.crypto import decrypt, encrypt, lookup_hash, mask_id_number, mask_phone


@given(st.text(max_size=64))
def test_encryption_round_trips_and_is_randomised(value: str) -> None:
    token = encrypt(value, data_key="k" * 32)
    assert decrypt(token, data_key="k" * 32) == value
    assert encrypt(value, data_key="k" * 32) != token


def test_lookup_hash_is_keyed_and_normalised() -> None:
    a = lookup_hash("11010519491231002x", data_key="a" * 32)
    assert a == lookup_hash(" 11010519491231002X", data_key="a" * 32)
    assert a != lookup_hash("11010519491231002X", data_key="b" * 32)


def test_masks_follow_gbt_35273() -> None:
    assert mask_id_number("420502199001011234") == "420502********1234"
    assert mask_phone("13812341234") == "138****1234"
