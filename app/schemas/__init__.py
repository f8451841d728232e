"""Request and response bodies: what crosses the wire, one module per resource.

Where things go:

- ``common``: the shapes every resource shares (``QuantityIn``/``QuantityOut``, ``PeriodOut``,
  ``ReferralOut``, SSINs, the ``next`` link of a page). Reuse them; never define a second class
  of the same name (the OpenAPI document would get two components of one name).
- ``<resource>.py`` (``eligibility``, ``incentives``, ``citizens``, ``wallet``, ``transactions``,
  ``access_log``, ``trainings``, ``operations``): that resource's models. A new resource gets a
  module of its own; its routers import it, never another router.
- each response model has a converter from the domain, ``Model.of(domain_object)``; each
  request model of a command has ``.command()`` giving the domain's command. Routers do no
  mapping of their own.
- ``problems``: the ``Problem`` model and ``problem_responses(*errors)``: an operation declares
  the domain errors it raises and gets its documented 4xx, one real example per problem type
  (the table of types is ``app/problem_types.py``; a new domain error is registered there).
- ``examples``: the facts and SSIN every example uses (one copy).

All models derive from ``ApiModel`` (lowerCamelCase on the wire, unknown properties refused).
Class names are the OpenAPI component names: unique, and meaningful to an SDK user."""

from app.schemas.base import ApiModel

__all__ = ["ApiModel"]
