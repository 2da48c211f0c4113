"""Analyses as jobs on Redis (arq): what a bot process enqueues and a worker runs.

Used only when ``REDIS_URL`` is set; otherwise analyses run inside the bot process
(:mod:`bot.services.queue`). :mod:`bot.jobs.protocol` is the wire format both sides share,
:mod:`bot.jobs.client` the bot's side (enqueue, wait, progress, place in line) and
:mod:`bot.jobs.worker` the job function a worker runs. No discord import here.
"""
