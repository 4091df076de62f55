"""Fees collected and payments that prove themselves (issue 11): a payment is a fact only
when the money's side says so.

    models    Payment (one attempt or one recorded payment, any channel) and its
              append-only PaymentEvent log
    vnpay     the VNPay-style gateway protocol (2.1.0), merchant side, no Django models
    vietqr    the NAPAS 247 transfer QR (payload, read-back with CRC)
    services  start an attempt, take an IPN, query, expire; the only writers
    views     the IPN endpoint (no login, CSRF-exempt, JSON)
    simulator the gateway's side as its own process, for the demo and the tests

A verified notification (IPN) or a verified query answer settles the dossier's obligation
through motcua.dossiers.services.dossier_settle_payment, in the same transaction.
"""
