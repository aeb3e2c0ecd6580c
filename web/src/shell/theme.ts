import type { ThemeConfig } from 'antd';

/**
 * A restrained look for a government finance archive: one deep blue, little rounding, dense tables, system CJK
 * fonts first (Windows' 微软雅黑 at the bureau, Noto/WenQuanYi on Linux machines and in CI).
 */
export const FONT_FAMILY =
  "-apple-system, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Helvetica Neue', Arial, sans-serif";

export const HEADER_BG = '#10294a';

export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1d4e89',
    colorInfo: '#1d4e89',
    colorSuccess: '#2f7d32',
    // The derived light green of a dark seed comes out greyish; set the alert tints explicitly.
    colorSuccessBg: '#f0f7ee',
    colorSuccessBorder: '#b9d9b1',
    colorWarning: '#b7791f',
    colorError: '#b42318',
    colorBgLayout: '#f2f4f7',
    borderRadius: 4,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
  },
  components: {
    Layout: { headerBg: HEADER_BG, headerHeight: 56, headerPadding: '0 20px', siderBg: '#ffffff', bodyBg: '#f2f4f7' },
    Menu: { itemBorderRadius: 2, itemMarginInline: 0, itemSelectedBg: '#e8eef6', itemSelectedColor: '#1d4e89' },
    Card: { headerFontSize: 15 },
    Table: { headerBg: '#f5f7fa' },
    // The derived "selected option" tint of a dark primary is a heavy grey-blue; keep it light.
    Select: { optionSelectedBg: '#e6eef8' },
  },
};
