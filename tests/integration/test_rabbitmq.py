"""The same email through RabbitMQ (CELERY_BROKER_URL=amqp://…): each test has a virtual
host of its own on the machine's RabbitMQ, deleted afterwards. A published story reaches
its subscribers, and a worker killed in the middle of a batch loses no email and doubles
none: RabbitMQ gives the unfinished task to another worker at once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.core import mail
from django.db import transaction

from apps.accounts.models import User
from apps.alerts.models import StoryAlertRun
from apps.core.models import OutboxEmail
from apps.core.outbox import Email, message_id, outbox_add, outbox_add_many
from apps.organisations.models import Organisation

from .conftest import WORKER_OPTIONS, RabbitVhost, SmtpSink, Worker, publishing_to, wait_for
from .test_outbox_broker import _assert_sent_once, _audience, _moderating, _publish, _waiting

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A lost worker's claimed email is sent again this soon (the default is 10 minutes): long
# enough that the task delivered again has passed it by, so the sweep is what sends it.
CLAIM_SECONDS = 10


@pytest.fixture
def rabbit_app(rabbit: RabbitVhost, settings: Any) -> Iterator[Celery]:
    with publishing_to(rabbit.url, settings) as app:
        yield app


def _worker(app: Celery, rabbit: RabbitVhost, smtp: SmtpSink, workdir: Path, name: str) -> Worker:
    return Worker(
        app,
        rabbit,
        smtp,
        workdir,
        name=f"{name}-{rabbit.name}@localhost",
        env={"OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS)},
    )


@pytest.fixture
def workers(
    transactional_db: None, rabbit: RabbitVhost, rabbit_app: Celery, smtp: SmtpSink, tmp_path: Path
) -> Iterator[list[Worker]]:
    """Two workers, not yet started; stopped before the test database is flushed."""
    pair = [_worker(rabbit_app, rabbit, smtp, tmp_path, name) for name in ("first", "second")]
    try:
        yield pair
    finally:
        for process in pair:
            process.stop()


def test_published_story_reaches_immediate_subscribers_through_rabbitmq(
    org: Organisation, moderator: User, rabbit: RabbitVhost, workers: list[Worker], smtp: SmtpSink
) -> None:
    worker = workers[0]
    worker.start()
    people = _audience(org)
    story = _waiting(people.service)

    response = _publish(_moderating(moderator, story), story)

    assert response.status_code == 302
    wait_for(lambda: len(smtp.recipients()) >= 3, "three emails at the mail server", log=worker)
    worker.wait_idle()
    _assert_sent_once(story, people, smtp)
    assert StoryAlertRun.objects.get(story=story).recipients == 3
    assert mail.outbox == []
    assert worker.results("alerts.fan_out_story") == ["None"]
    assert worker.results("core.send_batch") == ["2"]
    # The queue the settings declare, as RabbitMQ holds it: it outlives a restart.
    queues = rabbit.ctl("list_queues", "-p", rabbit.name, "--no-table-headers", "name", "durable")
    assert "celery\ttrue" in queues.splitlines()


def test_worker_killed_mid_batch_its_task_goes_to_another_and_each_email_is_sent_once(
    rabbit_app: Celery, workers: list[Worker], smtp: SmtpSink
) -> None:
    for process in workers:
        process.start()
    people = [f"person{n:02}@example.org" for n in range(12)]
    # The first worker's sixth connection to the mail server waits: it has sent five
    # emails and claimed the sixth, and is killed there, its task unacknowledged.
    smtp.hold_next(after=5)
    with transaction.atomic():
        outbox_add_many(
            [
                Email(kind="test.batch", key="1", to=to, subject="A batch", text="Hello.")
                for to in people
            ]
        )
    wait_for(smtp.holding.is_set, "a worker to be mid-batch", log=workers[0])
    # One worker at a time takes a task (prefetch 1): the one that took the batch dies.
    first, second = sorted(workers, key=lambda process: not process.received("core.send_batch"))
    first.kill()

    wait_for(lambda: len(smtp.recipients()) >= 11, "the rest of the batch", log=second)
    second.wait_idle()
    [batch] = first.received("core.send_batch")
    assert second.received("core.send_batch") == [batch]  # the same task, delivered again
    # The email the first worker had claimed waits for its claim to lapse, then the sweep
    # sends it (beat sends the sweep every minute; here the test sends it).
    held = OutboxEmail.objects.get(status=OutboxEmail.Status.PENDING)
    assert held.attempts == 1
    assert held.to == people[5]

    def swept() -> bool:
        rabbit_app.send_task("core.sweep_outbox")
        second.wait_idle()
        return len(smtp.recipients()) >= 12

    wait_for(swept, "the sweep to send the claimed email", timeout=CLAIM_SECONDS + 20, log=second)
    second.wait_idle()
    assert smtp.recipients() == people
    rows = OutboxEmail.objects.order_by("to")
    assert [(row.to, row.status) for row in rows] == [(to, "sent") for to in people]
    assert sorted(row.attempts for row in rows) == [1] * 11 + [2]
    # Each message carries its row's own Message-ID, whichever worker sent it.
    assert sorted(str(message["Message-ID"]) for message in smtp.messages) == sorted(
        message_id(row.key) for row in rows
    )
    assert second.results("core.send_batch") == ["6"]


def test_worker_killed_after_the_server_took_the_email_sends_it_twice_with_one_message_id(
    rabbit_app: Celery, workers: list[Worker], smtp: SmtpSink
) -> None:
    """The window the outbox cannot close (apps/core/outbox.py): the mail server has the
    email, the worker dies before it marks the row sent. The email goes again after the
    claim lapses, so nothing is lost; the copy carries the same Message-ID."""
    first, second = workers
    first.start()
    smtp.hold_next(at="reply")
    with transaction.atomic():
        outbox_add(kind="test.one", key="1", to="person@example.org", subject="One", text="Hi.")
    wait_for(smtp.holding.is_set, "the mail server to have the email", log=first)
    first.kill()
    smtp.release()
    second.start()

    def swept() -> bool:
        rabbit_app.send_task("core.sweep_outbox")
        second.wait_idle()
        return len(smtp.recipients()) >= 2

    wait_for(swept, "the sweep to send the email again", timeout=CLAIM_SECONDS + 30, log=second)
    row = OutboxEmail.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)
    assert smtp.recipients() == ["person@example.org"] * 2
    assert [str(message["Message-ID"]) for message in smtp.messages] == [message_id(row.key)] * 2


def test_worker_process_killed_mid_batch_its_task_is_rejected_back_and_run_again(
    rabbit: RabbitVhost, rabbit_app: Celery, smtp: SmtpSink, tmp_path: Path
) -> None:
    """A pool process killed mid-task (out of memory, say) while its worker lives on: the
    task goes back to the queue (CELERY_TASK_REJECT_ON_WORKER_LOST) rather than being
    acknowledged as failed, and the rest of the batch is sent by its second run."""
    prefork = [*WORKER_OPTIONS, "--pool=prefork"]
    prefork.remove("--pool=solo")
    worker = Worker(
        rabbit_app,
        rabbit,
        smtp,
        tmp_path,
        name=f"prefork-{rabbit.name}@localhost",
        env={"OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS)},
        options=prefork,
    )
    people = [f"person{n:02}@example.org" for n in range(8)]
    try:
        worker.start()
        assert worker.process is not None
        smtp.hold_next(after=3)
        with transaction.atomic():
            outbox_add_many(
                [
                    Email(kind="test.batch", key="1", to=to, subject="A batch", text="Hello.")
                    for to in people
                ]
            )
        wait_for(smtp.holding.is_set, "the pool process to be mid-batch", log=worker)
        pid = worker.process.pid
        [child] = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        os.kill(int(child), signal.SIGKILL)
        smtp.release()

        wait_for(lambda: len(smtp.recipients()) >= 7, "the rest of the batch", log=worker)
        [batch, again] = worker.received("core.send_batch")
        assert again == batch
        assert "WorkerLostError" in worker.tail(200)
        assert worker.results("core.send_batch") == ["4"]

        def swept() -> bool:
            rabbit_app.send_task("core.sweep_outbox")
            worker.wait_idle()
            return len(smtp.recipients()) >= 8

        wait_for(swept, "the sweep to send the claimed email", timeout=CLAIM_SECONDS + 30)
        assert smtp.recipients() == people
        assert sorted(OutboxEmail.objects.values_list("attempts", flat=True)) == [1] * 7 + [2]
    finally:
        worker.stop()
