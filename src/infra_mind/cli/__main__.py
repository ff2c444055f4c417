from infra_mind.cli.main import run

run()
