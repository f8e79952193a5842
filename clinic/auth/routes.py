from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..i18n import refusal
from ..services import accounts, settings
from ..services.accounts import LoginRefused
from ..web import lands_on
from . import bp, throttle
from .access import any_staff, public
from .forms import LoginForm
from .redirects import safe_next


def _next() -> str | None:
    return safe_next(request.args.get("next"), request.host_url)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(throttle.per_address, key_func=throttle.address_key, methods=["POST"], deduct_when=throttle.refused)
@limiter.limit(throttle.per_account, key_func=throttle.account_key, methods=["POST"], deduct_when=throttle.refused)
@limiter.limit(
    throttle.per_account_and_address,
    key_func=throttle.account_and_address_key,
    methods=["POST"],
    deduct_when=throttle.refused,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.username.data, form.password.data)
        except LoginRefused as refused:
            # The failed attempt is audited even though the page shows an error.
            db.session.commit()
            form.password.errors.append(refusal(refused))  # the service's marked sentence, translated
            status = 401
        else:
            # A new session: nothing from before the login is carried over, the CSRF secret included
            # (a token planted before the login is worthless after it).
            session.clear()
            g.pop("csrf_token", None)
            login_user(user)
            return redirect(_next() or url_for("main.home"))
    elif request.method == "POST":
        status = 400
    demo = bool(settings.get(db.session, "demo_data"))
    action = url_for("auth.login", next=_next())
    return render_template("auth/login.html", form=form, demo=demo, action=action), status


@bp.post("/logout")
@lands_on("main.home")
@any_staff
def logout():
    # Every session of this login ends, including copies of the cookie (the session version moves on).
    accounts.end_sessions(db.session, current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))
