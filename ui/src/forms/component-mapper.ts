import { componentTypes, type ComponentMapper } from '@data-driven-forms/react-form-renderer';
import { CheckboxField, SwitchField } from './checkbox-field';
import { SelectField } from './select-field';
import { SubForm } from './sub-form';
import { TextareaField } from './textarea-field';
import { TextField } from './text-field';

/**
 * The field components of add-provider forms, for data-driven-forms' renderer: the components provider types use
 * (text-field, select, switch, checkbox, textarea, sub-form), drawn with the page's own styles.
 */
export const componentMapper: ComponentMapper = {
  [componentTypes.TEXT_FIELD]: TextField,
  [componentTypes.TEXTAREA]: TextareaField,
  [componentTypes.SELECT]: SelectField,
  [componentTypes.CHECKBOX]: CheckboxField,
  [componentTypes.SWITCH]: SwitchField,
  [componentTypes.SUB_FORM]: SubForm,
};
