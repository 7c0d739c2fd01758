from gridgov.kit.crypto import decrypt, lookup_hash, mask_id_number, mask_phone
from gridgov.people.sensitive import Protector


def test_protecting_many_values_matches_one_by_one() -> None:
    protector = Protector()
    numbers = ["420502199001011234", " 42050219900101123x ", "420502199001011234"]
    columns = protector.id_numbers(numbers)
    for number, enc, hashed, masked in zip(numbers, *columns, strict=True):
        single = protector.id_number(number)
        assert decrypt(enc) == decrypt(single.enc) == number.strip().upper()
        assert hashed == single.hash == lookup_hash(number)
        assert masked == single.masked == mask_id_number(number.strip().upper())
    # Every value has its own nonce: equal numbers encrypt differently.
    assert columns.enc[0] != columns.enc[2]
    assert len({enc[3:19] for enc in columns.enc}) == 3
    phones = protector.phones(["13800001234", "15912345678"])
    assert [decrypt(enc) for enc in phones.enc] == ["13800001234", "15912345678"]
    assert phones.hash == [lookup_hash("13800001234"), lookup_hash("15912345678")]
    assert phones.masked == [mask_phone("13800001234"), mask_phone("15912345678")]
