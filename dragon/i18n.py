"""Translation marker for user-facing strings (oslo.i18n)."""

import oslo_i18n

_translators = oslo_i18n.TranslatorFactory(domain='dragon')

# The primary translation function using the well-known name "_"
_ = _translators.primary
