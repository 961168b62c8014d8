"""The programme pages, one module per area (each with its own ``urlpatterns``):
``programmes`` (list, the programme with its tree and gate, writing the plan, print view),
``progress`` (cycles, reports, timeline, overdue and due-soon lists), ``delegations``
(the delegation register and hand-over) and ``exports`` (Excel round trip, .docx)."""
