from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from ..services import accounts, settings
from ..services.accounts import LoginPolicy, LoginRefused
from . import bp
from .access import any_staff, public
from .forms import LoginForm


def _safe_next(target: str | None) -> str:
    # Only paths on this site; never an absolute URL (open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        policy = LoginPolicy(current_app.config["LOGIN_MAX_FAILURES"], current_app.config["LOGIN_LOCKOUT_MINUTES"])
        try:
            user = accounts.authenticate(db.session, form.username.data, form.password.data, policy)
        except LoginRefused as refused:
            # The failed attempt is counted and audited even though the page shows an error.
            db.session.commit()
            form.password.errors.append(refused.message)
            status = 401
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    demo = bool(settings.get(db.session, "demo_data"))
    return render_template("auth/login.html", form=form, demo=demo), status


@bp.post("/logout")
@any_staff
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
