"""`espcrm kafka up / down / status`: the development broker, or a KRaft cluster of brokers on
this machine (issue 18)."""

from __future__ import annotations

from typing import Any

import typer

from domain.messages import render
from infra.settings import Settings

kafka_cli = typer.Typer(help="The development Kafka broker", no_args_is_help=True)


@kafka_cli.command("up")
def kafka_up(
    brokers: int = typer.Option(
        1,
        min=1,
        max=9,
        help="1: the development broker (.data/kafka); 3 to 9: a KRaft "
        "cluster on this machine (.data/kafka-cluster), topics replicated 3 times",
    ),
) -> None:
    """Start the development broker, or a cluster of brokers (reused if already running);
    prints the bootstrap servers."""
    from infra.kafka_broker import KafkaBroker
    from infra.kafka_cluster import MIN_BROKERS, KafkaCluster

    data_dir = Settings().data_dir
    if brokers == 1:
        typer.echo(KafkaBroker(data_dir / "kafka").start())
        return
    if brokers < MIN_BROKERS:
        raise typer.BadParameter(render("cli.kafka.cluster_size"), param_hint="--brokers")
    try:
        cluster = KafkaCluster(data_dir / "kafka-cluster", brokers)
    except ValueError as error:  # the cluster there was made with another size
        existing = KafkaCluster.existing(data_dir / "kafka-cluster")
        saved = existing.brokers if existing is not None else brokers
        raise typer.BadParameter(
            render("cli.kafka.cluster_exists", brokers=saved), param_hint="--brokers"
        ) from error
    typer.echo(cluster.start())


@kafka_cli.command("down")
def kafka_down() -> None:
    """Stop the development broker and the cluster, whichever runs."""
    from infra.kafka_broker import KafkaBroker
    from infra.kafka_cluster import KafkaCluster

    data_dir = Settings().data_dir
    KafkaBroker(data_dir / "kafka").stop()
    cluster = KafkaCluster.existing(data_dir / "kafka-cluster")
    if cluster is not None:
        cluster.stop()
    typer.echo(render("cli.kafka.stopped"))


@kafka_cli.command("status")
def kafka_status() -> None:
    """The development broker's address, and each cluster node's."""
    from infra.kafka_broker import KafkaBroker
    from infra.kafka_cluster import KafkaCluster

    data_dir = Settings().data_dir
    broker = KafkaBroker(data_dir / "kafka")
    typer.echo(broker.bootstrap_servers if broker.is_running() else render("cli.kafka.not_running"))
    cluster = KafkaCluster.existing(data_dir / "kafka-cluster")
    if cluster is not None:
        typer.echo(describe_cluster(cluster.status()))


def describe_cluster(status: Any) -> str:
    """`kafka status`'s lines for a cluster (infra.kafka_cluster.KafkaClusterStatus)."""
    lines = [render("cli.kafka.cluster", running=status.running, brokers=len(status.nodes))]
    for node in status.nodes:
        state = "cli.kafka.node_down"
        if node.running:
            state = "cli.kafka.node_registered" if node.registered else "cli.kafka.node_starting"
        lines.append(
            render(
                "cli.kafka.node",
                node=node.node_id,
                address=f"127.0.0.1:{node.port}",
                controller=node.controller_port,
                pid=node.pid or "-",
                state=render(state),
            )
            + (f" {render('cli.kafka.quorum_leader')}" if node.quorum_leader else "")
        )
    if status.under_replicated is not None:
        lines.append(render("cli.kafka.under_replicated", count=status.under_replicated))
    return "\n".join(lines)
