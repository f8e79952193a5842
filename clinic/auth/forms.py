from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import FlaskForm


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
