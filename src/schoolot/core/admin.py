"""Back-office admin that never crosses districts.

The platform operator (superuser) sees everything; a district administrator with staff status
sees and edits only her district's rows, and new rows are put in her district.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from schoolot.accounts.models import Role
from schoolot.core.params import id_parse


def is_district_admin(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and user.role == Role.DISTRICT_ADMIN
        and user.district_id is not None
    )


class DistrictAdminOnly:
    """A back-office page for the platform operator and district administrators only, each
    administrator seeing her own district's rows (the audit trail, API tokens)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(district_id=request.user.district_id)

    def has_module_permission(self, request):
        return request.user.is_superuser or is_district_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class _KeysOnly:
    """An autocomplete widget shows the chosen rows by querying them: re-rendering a form with
    a chosen value that is no key (a crafted "abc", a 20-digit number) made that query a
    server error. Such values are left out; the form already says the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if id_parse(v)], attr)


class KeysOnlyAutocompleteSelect(_KeysOnly, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnly, AutocompleteSelectMultiple):
    pass


class KeysOnlyModelChoiceField(forms.ModelChoiceField):
    """A row chosen by its id: a value that is no id ("abc", a 20-digit number, which SQLite
    refuses outright) is an invalid choice, not a server error."""

    def to_python(self, value):
        if value not in self.empty_values and id_parse(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class KeysOnlyModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows chosen by their ids, each checked as KeysOnlyModelChoiceField checks one."""

    def _check_values(self, value):
        for pk in value:
            if id_parse(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def _autocomplete_widget(admin_obj, db_field, request, kwargs, widget_class):
    """Our autocomplete widget where the admin asks for Django's (its autocomplete_fields)."""
    if "widget" not in kwargs and db_field.name in admin_obj.get_autocomplete_fields(request):
        kwargs["widget"] = widget_class(db_field, admin_obj.admin_site, using=kwargs.get("using"))
    return kwargs


class OverflowSafeChangelist:
    """A list filter holding a number no database key can be (?school=99999999999999999999
    typed into the address) is answered as Django answers any bad filter, by the list again
    with "?e=1", not a server error: SQLite refuses such a number outright."""

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except OverflowError:
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")


class DistrictScopedAdmin(OverflowSafeChangelist, admin.ModelAdmin):
    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_district_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(district_id=request.user.district_id)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            exclude.append("district")
        return exclude

    def _scope_related(self, db_field, request, kwargs):
        model = db_field.related_model
        if not request.user.is_superuser and any(
            f.name == "district" for f in model._meta.get_fields()
        ):
            kwargs["queryset"] = model._default_manager.filter(district_id=request.user.district_id)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = _autocomplete_widget(self, db_field, request, kwargs, KeysOnlyAutocompleteSelect)
        kwargs.setdefault("form_class", KeysOnlyModelChoiceField)
        return super().formfield_for_foreignkey(
            db_field, request, **self._scope_related(db_field, request, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = _autocomplete_widget(
            self, db_field, request, kwargs, KeysOnlyAutocompleteSelectMultiple
        )
        kwargs.setdefault("form_class", KeysOnlyModelMultipleChoiceField)
        return super().formfield_for_manytomany(
            db_field, request, **self._scope_related(db_field, request, kwargs)
        )

    def response_action(self, request, queryset):
        # The rows an action is for, by id: one that is no id would be a server error.
        chosen = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if any(id_parse(pk) is None for pk in chosen):
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, [pk for pk in chosen if id_parse(pk)])
        return super().response_action(request, queryset)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.district_id = request.user.district_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "district_id"):
                instance.district_id = form.instance.district_id
            instance.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()


class DistrictScopedInline(admin.TabularInline):
    extra = 0

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "district"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = _autocomplete_widget(self, db_field, request, kwargs, KeysOnlyAutocompleteSelect)
        kwargs.setdefault("form_class", KeysOnlyModelChoiceField)
        model = db_field.related_model
        if not request.user.is_superuser and any(
            f.name == "district" for f in model._meta.get_fields()
        ):
            kwargs["queryset"] = model._default_manager.filter(district_id=request.user.district_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_district_admin(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission
