import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useI18n } from '../i18n/I18nProvider';

/** One button that offers the other language, labelled in that language so a reader of either can find it. */
export function LanguageSwitch({ dark = false }: { dark?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  const next = locale === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <Button
      type="text"
      icon={<GlobalOutlined />}
      onClick={() => setLocale(next)}
      style={dark ? { color: 'rgba(255,255,255,0.85)' } : undefined}
      title={t('lang.switch')}
      data-testid="language-switch"
    >
      {t(`lang.${next}`)}
    </Button>
  );
}
