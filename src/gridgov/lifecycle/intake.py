"""What a batch of life events needs from the base, read at once — the persons their ID numbers
name, the houses their addresses resolve to, the households to prefill — so a day of a city's
events costs a few queries per batch instead of several per event; and the parts of handling an
event that read it: whom it concerns, where it happens, the task a rule makes of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.lifecycle import actions, admission, proxy
from gridgov.lifecycle.events import Event, EventType, shown_payload
from gridgov.lifecycle.repository import LifecycleRepository, Place
from gridgov.lifecycle.rules import Rule
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.lifecycle import LifeEvent, ProxyService
from gridgov.models.person import Person
from gridgov.tasks.service import NewTask

# The words of a department record's fields in the task the worker reads on the phone (the task
# text is stored, like the birth task's, in the city's language).
EVENT_FIELDS = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "household_no": "户号",
    "died_on": "死亡日期",
    "place": "地点",
    "from_address": "迁出地",
    "to_address": "迁往地",
    "expires_on": "到期日期",
    "school": "学校",
    "grade": "年级",
    "age": "年龄",
    "unit": "单位",
    "employer": "用人单位",
    "married_on": "结婚日期",
    "spouse_name": "配偶姓名",
    "spouse_id": "配偶身份证号",
    "birth_cert_no": "出生医学证明编号",
    "phone": "联系电话",
}


class Lookups:
    """The rows a batch of events needs, read together. Holding them also keeps them in the
    session's (weak) identity map, so the actions that follow find them without a query."""

    def __init__(self, session: Session, events: Sequence[tuple[EventType, Event]]) -> None:
        self.session = session
        self.repository = repository = LifecycleRepository(session)
        numbers: set[str | None] = set()
        person_ids: set[int] = set()
        for kind, event in events:
            if kind.code == "birth":
                numbers.add(event.data.get("mother_id"))
            elif event.person_id is not None:
                person_ids.add(event.person_id)
            else:
                numbers.add(event.data.get("id_number"))
        self.places = repository.resolve_addresses(e.data.get("address") for _, e in events)
        self.by_number = repository.persons_by_id_numbers(numbers)
        self.by_id = repository.load(Person, person_ids)
        persons = [*self.by_number.values(), *self.by_id.values()]
        # A birth prefills the household (the mother's, or the house's); another event without
        # a place of its own happens at its person's house.
        mothers, homeless = [], []
        for kind, event in events:
            person = self._person_of(kind, event)
            if kind.code == "birth" and person is not None:
                mothers.append(person)
            elif person is not None and self.places.get(event.data.get("address") or "") is None:
                homeless.append(person)
        self.houses = repository.load(House, {p.house_id for p in homeless})
        self.of_house = repository.households_of_houses(
            {
                place.house_id
                for kind, event in events
                if kind.code == "birth"
                and (place := self.places.get(event.data.get("address") or "")) is not None
                and place.house_id is not None
            }
        )
        self.households = repository.load(Household, {p.household_id for p in mothers})
        self.households.update({h.id: h for h in self.of_house.values()})
        self._due: dict[int, datetime] = {}
        self._now = utcnow()
        # Open services per person as the batch knows them (read at once, then kept up to date
        # with the services the batch opens), and the opened ones to put in the trail.
        self._services: dict[int, list[ProxyService]] = {p.id: [] for p in persons}
        for service in repository.open_services_of(self._services):
            self._services[service.person_id].append(service)
        self._opened: list[tuple[ProxyService, Principal]] = []

    def open_services(self, person_id: int, code: str) -> list[ProxyService]:
        if person_id not in self._services:
            self._services[person_id] = self.repository.open_services(person_id)
        return [s for s in self._services[person_id] if s.service_code == code]

    def opened(self, row: ProxyService, principal: Principal) -> None:
        """A service the batch opened (or found open again)."""
        known = self._services.setdefault(row.person_id, [])
        if all(s is not row for s in known):
            known.append(row)
            self._opened.append((row, principal))

    def record_opened(self) -> None:
        """After the batch's flush: the services it opened, in the trail."""
        by_principal: dict[Principal, list[ProxyService]] = {}
        for row, principal in self._opened:
            by_principal.setdefault(principal, []).append(row)
        for principal, rows in by_principal.items():
            proxy.record_opened(self.session, principal, *rows)
        self._opened.clear()

    def _person_of(self, kind: EventType, event: Event) -> Person | None:
        """The person the batch read for the event (no query)."""
        if kind.code == "birth":
            return self.by_number.get(str(event.data.get("mother_id") or ""))
        if event.person_id is not None:
            return self.by_id.get(event.person_id)
        return self.by_number.get(str(event.data.get("id_number") or ""))

    def person_by_number(self, number: str | None) -> Person | None:
        if not number:
            return None
        key = str(number)
        if key not in self.by_number:
            # Not found with the batch (or changed by an earlier event of it): ask once more.
            found = self.repository.person_by_id_number(key)
            if found is None:
                return None
            self.by_number[key] = found
        return self.by_number[key]

    def household(self, household_id: int | None) -> Household | None:
        if household_id is None:
            return None
        return self.households.get(household_id) or self.repository.household(household_id)

    def household_of_house(self, house_id: int) -> Household | None:
        """The house's oldest active household (read with the batch when its address was)."""
        if house_id in self.of_house:
            return self.of_house[house_id]
        found = self.repository.household_of_house(house_id)
        if found is not None:
            self.of_house[house_id] = found
        return found

    def house(self, house_id: int | None) -> House | None:
        if house_id is None:
            return None
        return self.houses.get(house_id) or self.repository.house(house_id)

    def due(self, working_days: int) -> datetime:
        if working_days not in self._due:
            self._due[working_days] = proxy.due_after(self.session, self._now, working_days)
        return self._due[working_days]

    # -- an event ---------------------------------------------------------------------------------
    def locate(
        self, kind: EventType, event: Event
    ) -> tuple[Person | None, Place | None, int | None]:
        """(the person the event concerns, the place it happens, the household to prefill)."""
        data = event.data
        address = data.get("address") or ""
        if address not in self.places:
            self.places[address] = self.repository.resolve_address(address)
        place = self.places[address]
        if kind.code == "birth":
            # Until the worker confirms the newborn, a birth concerns the mother (childbirth).
            mother = self.person_by_number(data.get("mother_id"))
            household = None
            if place is not None and place.house_id is not None:
                if mother is not None and mother.house_id == place.house_id:
                    household = self.household(mother.household_id)
                household = household or self.household_of_house(place.house_id)
            return mother, place, household.id if household else None
        if event.person_id is not None:
            person = self.by_id.get(event.person_id) or self.repository.person(event.person_id)
        else:
            person = self.person_by_number(data.get("id_number"))
        if person is not None and place is None:
            house = self.house(person.house_id)
            if house is not None:
                place = Place(house.id, house.grid_code, house.address, house.lng, house.lat)
            else:
                place = Place(None, person.grid_code, person.current_address or "")
        return person, place, person.household_id if person else None

    def task(
        self, row: LifeEvent, rule: Rule, person: Person | None, place: Place | None
    ) -> NewTask | str:
        """The task a rule makes of the event, or the reason it cannot make one."""
        assert rule.task is not None
        template = rule.task
        if place is None or not place.grid_code:
            return "地址无法解析到网格，请社区工作人员核实"
        if admission.admission_of(self.session, template.kind) is None:
            return f"任务类型「{template.kind}」未经准入，未派发"
        title = template.title
        payload = row.payload or {}
        if row.event_type == "birth":
            sex = actions.sex_of(payload.get("baby_sex"))
            title = f"{title}：{payload.get('mother_name')}之{'子' if sex == 'M' else '女'}"
        elif person is not None:
            title = f"{title}：{person.name}"
        about = person is not None and row.event_type != "birth"
        return NewTask(
            kind=template.kind,
            title=title[:200],
            description=self.describe(row, place),
            grid_code=place.grid_code,
            due_at=self.due(template.due_working_days),
            module_code=template.module,
            subject_type="person" if about else None,
            subject_id=str(person.id) if about and person is not None else None,
            lng=place.lng,
            lat=place.lat,
            source_ref=f"event:{row.id}:{rule.code}"[:100],
        )

    def describe(self, row: LifeEvent, place: Place | None) -> str:
        data = shown_payload(row.payload)  # a task's text: ID numbers and phones masked
        if row.event_type == "birth":
            household = self.household(row.household_id)
            parts = [
                f"医院：{data.get('hospital') or '—'}",
                f"出生时间：{data.get('birth_time')}",
                f"体重：{data.get('weight_g') or '—'} 克",
                f"母亲：{data.get('mother_name')}",
                f"父亲：{data.get('father_name') or '—'}",
                f"地址：{data.get('address')}",
                "随户（预填）："
                + (
                    f"{household.household_no} {household.address or ''}" if household else "未找到"
                ),
            ]
            return "\n".join(parts)
        fields = [
            f"{EVENT_FIELDS.get(k, k)}：{v}"
            for k, v in data.items()
            if k != "id_number" and not (k == "address" and place) and v
        ]
        return "\n".join([f"地址：{place.address if place else '—'}", *fields])[:4000]
